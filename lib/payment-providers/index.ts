import type { PaymentProvider } from '../../domain/payment-provider';
import type { Config } from '../config';
import { sandboxProvider } from './sandbox';
import { stripeProvider } from './stripe';
import { webhookOrdersProvider } from './webhook-orders';

/** The adapter of the rail PAYMENT_PROVIDER names; loadConfig has checked that the rail's settings are there. */
export function createPaymentProvider(config: Config): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'sandbox':
      return sandboxProvider();
    case 'webhook':
      return webhookOrdersProvider({ ordersUrl: config.PAYMENT_ORDERS_URL!, secret: config.PAYMENTS_WEBHOOK_SECRET });
    case 'stripe':
      return stripeProvider({ secretKey: config.STRIPE_SECRET_KEY!, apiUrl: config.STRIPE_API_URL, platformUrl: config.PLATFORM_URL });
  }
}
