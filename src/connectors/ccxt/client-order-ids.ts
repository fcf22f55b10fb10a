import { VenueRejected } from '../../domain/errors.js';
import type { ClientIdFormat } from './venue-profiles.js';

/** planexec's canonical client order id (src/domain/ids.ts): `PX` + 16 hex + `-` + leg. */
const CANONICAL = /^(PX[0-9a-f]{16})-([A-Za-z0-9]{1,12})$/;
const WITHOUT_HYPHEN = /^(PX[0-9a-f]{16})([A-Za-z0-9]{1,12})$/;

function allowedPattern(format: ClientIdFormat): RegExp {
  return new RegExp(`^[A-Za-z0-9${format.underscore ? '_' : ''}${format.hyphen ? '\\-' : ''}]+$`);
}

/**
 * The id we send to the venue for one of ours. Deterministic, so a retry or a recovery sends the
 * same id; a venue without '-' gets the canonical id's hyphen dropped, which `fromVenueClientId`
 * puts back (the canonical prefix has a fixed length). An id the venue cannot carry is refused
 * before anything is sent.
 */
export function toVenueClientId(id: string, format: ClientIdFormat): string {
  let venueId = id;
  if (!format.hyphen) {
    const canonical = CANONICAL.exec(id);
    if (canonical !== null) venueId = `${canonical[1]}${canonical[2]}`;
  }
  if (venueId.length > format.maxLength || !allowedPattern(format).test(venueId)) {
    const chars = `A-Za-z0-9${format.underscore ? '_' : ''}${format.hyphen ? '-' : ''}`;
    throw new VenueRejected(`client order id ${id} does not fit the venue's format (at most ${format.maxLength} characters of [${chars}])`, 'CLIENT_ORDER_ID_FORMAT', {
      client_order_id: id,
    });
  }
  return venueId;
}

/** Our id for an id the venue reports: the exact inverse of `toVenueClientId`. */
export function fromVenueClientId(venueId: string, format: ClientIdFormat): string {
  if (format.hyphen) return venueId;
  const bare = WITHOUT_HYPHEN.exec(venueId);
  return bare === null ? venueId : `${bare[1]}-${bare[2]}`;
}
