import type { Context } from 'hono';
import type { AppDependencies } from '../../../deps.ts';
import type { AppRouteHandler as Handler } from '../../../http/openapi.ts';
import type { AppBindings } from '../../../http/types.ts';
import { actorOf } from '../../jobs/api/jobs.common.ts';
import { type AlertsService, createAlertsService } from '../alerts.service.ts';
import type * as routes from './alerts.routes.ts';

const fallbackServices = new WeakMap<AppDependencies, AlertsService>();

/** The service the entry built; apps assembled without one (some tests) get one over db.app. */
export function alertsService(c: Context<AppBindings>): AlertsService {
  const deps = c.var.deps;
  if (deps.alerts) return deps.alerts;
  let service = fallbackServices.get(deps);
  if (!service) {
    service = createAlertsService({ db: deps.db.app, config: deps.config, logger: deps.logger });
    fallbackServices.set(deps, service);
  }
  return service;
}

export const listChannelsHandler: Handler<typeof routes.listChannels> = async (c) => {
  c.header('Cache-Control', 'private, no-cache');
  return c.json(await alertsService(c).listChannels(c.req.valid('query')), 200);
};

export const createChannelHandler: Handler<typeof routes.createChannel> = async (c) => {
  const channel = await alertsService(c).createChannel(c.req.valid('json'), actorOf(c));
  c.header('Location', `${c.req.path}/${channel.id}`);
  return c.json(channel, 201);
};

export const getChannelHandler: Handler<typeof routes.getChannel> = async (c) => {
  c.header('Cache-Control', 'private, no-cache');
  return c.json(await alertsService(c).getChannel(c.req.valid('param').id), 200);
};

export const updateChannelHandler: Handler<typeof routes.updateChannel> = async (c) =>
  c.json(await alertsService(c).updateChannel(c.req.valid('param').id, c.req.valid('json'), actorOf(c)), 200);

export const testChannelHandler: Handler<typeof routes.testChannel> = async (c) =>
  c.json(await alertsService(c).sendTestAlert(c.req.valid('param').id, actorOf(c)), 200);

export const listDeliveriesHandler: Handler<typeof routes.listDeliveries> = async (c) => {
  c.header('Cache-Control', 'private, no-cache');
  return c.json(await alertsService(c).listDeliveries(c.req.valid('query')), 200);
};

export const listIncidentsHandler: Handler<typeof routes.listIncidents> = async (c) => {
  c.header('Cache-Control', 'private, no-cache');
  return c.json(await alertsService(c).listIncidents(c.req.valid('query')), 200);
};
