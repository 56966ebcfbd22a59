// Users (admins only): who can sign in, with which role, and whose logins are locked out right now, with the
// button that ends a lockout early (audited as user.unlock).
import { formatWhen } from '../components/format.ts';
import { AdminLayout, CsrfField } from '../layouts/admin-layout.tsx';
import type { PageChrome } from '../types.ts';

export interface UserRowView {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
  last_login_at: string | null;
  /** When the current login lockout ends; null when not locked. */
  locked_until: string | null;
}

export function UsersPage(props: { chrome: PageChrome; assetVersion: string; users: UserRowView[] }) {
  const { chrome } = props;
  return (
    <AdminLayout title="Users" chrome={chrome} section="users" assetVersion={props.assetVersion}>
      <h1>Users</h1>
      <p class="hint">
        Users are created and changed through the API (<code>/api/v1/users</code>). A user whose password was
        mistyped too often is locked out for a while; unlock them here to let them try again at once.
      </p>
      <div class="table-wrap">
        <table class="data users">
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Last login</th>
              <th scope="col">Login lockout</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((user) => (
              <tr data-user={user.username}>
                <th scope="row" data-label="User">
                  {user.username}
                </th>
                <td data-label="Role">{user.role}</td>
                <td data-label="State">{user.disabled ? 'disabled' : 'active'}</td>
                <td data-label="Last login">{formatWhen(user.last_login_at)}</td>
                <td data-label="Login lockout">
                  {user.locked_until ? (
                    <form method="post" action={`/admin/users/${user.id}/unlock`} class="inline">
                      <CsrfField token={chrome.csrfToken} />
                      <span class="badge bad">locked until {formatWhen(user.locked_until)}</span>{' '}
                      <button
                        type="submit"
                        class="button secondary small"
                        aria-label={`Unlock ${user.username}`}
                      >
                        Unlock
                      </button>
                    </form>
                  ) : (
                    'not locked'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminLayout>
  );
}
