import { rateToPpm } from '../domain/fees';
import { formatSiren, type SellerIdentity } from '../domain/legal-identity';
import type { Config } from './config';

/** What the platform's fee invoices need of the settings: who sells, and the French VAT rate inside the fees. */
export interface InvoicingSettings {
  seller: SellerIdentity;
  vatRatePpm: number;
}

export function invoicingSettings(config: Config): InvoicingSettings {
  const rcs = config.PLATFORM_RCS ? `RCS ${config.PLATFORM_RCS} ${formatSiren(config.PLATFORM_SIREN)}` : undefined;
  const capital = config.PLATFORM_SHARE_CAPITAL ? `au capital de ${config.PLATFORM_SHARE_CAPITAL}` : undefined;
  const legalInfo = [capital, rcs].filter(Boolean).join(', ');
  return {
    seller: {
      legalName: config.PLATFORM_LEGAL_NAME,
      address: config.PLATFORM_ADDRESS,
      siren: config.PLATFORM_SIREN,
      vatNumber: config.PLATFORM_VAT_NUMBER,
      ...(legalInfo ? { legalInfo } : {}),
    },
    vatRatePpm: rateToPpm(config.VAT_RATE),
  };
}
