import { AdminLayout, CsrfField } from '../layouts/admin-layout.tsx';

export function LoginPage(props: {
  csrfToken: string;
  next: string;
  username?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
  assetVersion: string;
}) {
  return (
    <AdminLayout title="Log in" assetVersion={props.assetVersion}>
      <section class="card narrow">
        <h1>Log in</h1>
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        {props.error ? (
          <p class="alert" role="alert">
            {props.error}
          </p>
        ) : null}
        <form method="post" action="/admin/login" class="stack">
          <CsrfField token={props.csrfToken} />
          <input type="hidden" name="next" value={props.next} />
          <label for="username">Username</label>
          <input
            id="username"
            name="username"
            autocomplete="username"
            required
            value={props.username ?? ''}
            autofocus
          />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit" class="button">
            Log in
          </button>
        </form>
      </section>
    </AdminLayout>
  );
}
