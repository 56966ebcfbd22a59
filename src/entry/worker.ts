// The edge worker entry (wrangler.toml main). The edge issue builds the cache, rate limit and proxy here;
// until then it forwards every request to ORIGIN_URL unchanged.
export interface EdgeBindings {
  ORIGIN_URL: string;
}

export default {
  fetch(request: Request, env: EdgeBindings): Promise<Response> {
    const incoming = new URL(request.url);
    const target = new URL(incoming.pathname + incoming.search, env.ORIGIN_URL);
    return fetch(new Request(target, request));
  },
};
