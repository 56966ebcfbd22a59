// Alert channels, deliveries and incidents: admins manage channels, viewers read.
import { createRouter } from '../../../http/router.ts';
import * as handlers from './alerts.handlers.ts';
import * as routes from './alerts.routes.ts';

export function createAlertsRouter() {
  return createRouter()
    .openapi(routes.listChannels, handlers.listChannelsHandler)
    .openapi(routes.createChannel, handlers.createChannelHandler)
    .openapi(routes.getChannel, handlers.getChannelHandler)
    .openapi(routes.updateChannel, handlers.updateChannelHandler)
    .openapi(routes.testChannel, handlers.testChannelHandler)
    .openapi(routes.listDeliveries, handlers.listDeliveriesHandler)
    .openapi(routes.listIncidents, handlers.listIncidentsHandler);
}
