// Hono's default router, remembering its answers. The origin's routes do not fit hono's RegExpRouter (the admin
// UI's /admin/jobs/:id family), so SmartRouter falls back to the TrieRouter, which walks the route tree and
// allocates a params object per pattern node on every request (measured: about a tenth of everything the origin
// allocated under a flood of GET /api/v1/health). A match depends only on the method and the path, and hono only
// reads what a match returns, so the answer for a path is computed once and reused: health, the lists and a job
// by id (the ids a client asks for) cost one Map lookup. Bounded: long paths are not remembered, and past
// MAX_PATHS the oldest answer goes (a client walking random paths only churns the map).
import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

const MAX_PATHS = 2_048;
const MAX_PATH_LENGTH = 512;

export class MemoRouter<T> implements Router<T> {
  name = 'MemoRouter';
  readonly #inner: Router<T> = new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] });
  readonly #answers = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.#inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > MAX_PATH_LENGTH) return this.#inner.match(method, path);
    const key = `${method} ${path}`;
    let answer = this.#answers.get(key);
    if (!answer) {
      answer = this.#inner.match(method, path);
      if (this.#answers.size >= MAX_PATHS) this.#answers.delete(this.#answers.keys().next().value!);
      this.#answers.set(key, answer);
    }
    return answer;
  }
}
