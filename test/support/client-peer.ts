// What @hono/node-server hands a request as its env, reduced to the socket's peer address: pass it as the
// third argument of app.request so an in-process request has a client address (src/http/client-ip.ts),
// as a request over a real socket does. Without it the address is "unknown" and forwarded headers never count.
export const fromPeer = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
