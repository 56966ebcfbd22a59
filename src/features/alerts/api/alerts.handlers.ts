import { actorOf } from '../../../audit/record-audit.ts';
import type { AppRouteHandler as Handler } from '../../../http/openapi.ts';
import type * as routes from './alerts.routes.ts';

export const listChannelsHandler: Handler<typeof routes.listChannels> = async (c) => {
  c.header('Cache-Control', 'private, no-cache');
  return c.json(await c.var.deps.alerts.listChannels(c.req.valid('query')), 200);
};

export const createChannelHandler: Handler<typeof routes.createChannel> = async (c) => {
  const channel = await c.var.deps.alerts.createChannel(c.req.valid('json'), actorOf(c));
  c.header('Location', `${c.req.path}/${channel.id}`);
  return c.json(channel, 201);
};

export const getChannelHandler: Handler<typeof routes.getChannel> = async (c) => {
  c.header('Cache-Control', 'private, no-cache');
  return c.json(await c.var.deps.alerts.getChannel(c.req.valid('param').id), 200);
};

export const updateChannelHandler: Handler<typeof routes.updateChannel> = async (c) =>
  c.json(
    await c.var.deps.alerts.updateChannel(c.req.valid('param').id, c.req.valid('json'), actorOf(c)),
    200,
  );

export const testChannelHandler: Handler<typeof routes.testChannel> = async (c) =>
  c.json(await c.var.deps.alerts.sendTestAlert(c.req.valid('param').id, actorOf(c)), 200);

export const listDeliveriesHandler: Handler<typeof routes.listDeliveries> = async (c) => {
  c.header('Cache-Control', 'private, no-cache');
  return c.json(await c.var.deps.alerts.listDeliveries(c.req.valid('query')), 200);
};

export const listIncidentsHandler: Handler<typeof routes.listIncidents> = async (c) => {
  c.header('Cache-Control', 'private, no-cache');
  return c.json(await c.var.deps.alerts.listIncidents(c.req.valid('query')), 200);
};
