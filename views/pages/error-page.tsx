import { AdminLayout } from '../layouts/admin-layout.tsx';
import type { PageChrome } from '../types.ts';

export function ErrorPage(props: {
  status: number;
  title: string;
  message: string;
  chrome?: PageChrome | undefined;
  assetVersion: string;
}) {
  return (
    <AdminLayout title={props.title} chrome={props.chrome} assetVersion={props.assetVersion}>
      <section class="card narrow">
        <h1>{props.title}</h1>
        <p role="alert">{props.message}</p>
        <p class="hint">HTTP {props.status}</p>
        <p>
          <a href="/admin/jobs">Back to the jobs</a>
        </p>
      </section>
    </AdminLayout>
  );
}
