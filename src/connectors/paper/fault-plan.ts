import type { PaperConnectorConfig } from '../../config/schema.js';

export type FaultKind = 'NONE' | 'TRANSIENT' | 'REJECTION' | 'TIMEOUT';

/** The venue calls that can fail; what each may suffer. */
export type FaultedCall = 'place' | 'cancel' | 'amend' | 'fetch';

const APPLICABLE: Readonly<Record<FaultedCall, readonly Exclude<FaultKind, 'NONE'>[]>> = {
  place: ['TRANSIENT', 'REJECTION', 'TIMEOUT'],
  cancel: ['TRANSIENT', 'TIMEOUT'],
  amend: ['TRANSIENT', 'TIMEOUT'],
  // a lost read has no effect to be unsure about: only transient
  fetch: ['TRANSIENT'],
};

/**
 * One uniform draw in [0, 1) per call, split into consecutive bands of each applicable fault's
 * rate: each fault then happens with exactly its configured probability (while the rates sum to
 * at most 1), and one call consumes one draw whatever happens, so the sequence is reproducible.
 */
export function pickFault(draw: number, call: FaultedCall, faults: PaperConnectorConfig['faults']): FaultKind {
  const rates: Readonly<Record<Exclude<FaultKind, 'NONE'>, number>> = {
    TRANSIENT: faults.transient_error_rate,
    REJECTION: faults.rejection_rate,
    TIMEOUT: faults.timeout_rate,
  };
  let upper = 0;
  for (const kind of APPLICABLE[call]) {
    upper += rates[kind];
    if (draw < upper) return kind;
  }
  return 'NONE';
}

export function anyFaults(faults: PaperConnectorConfig['faults']): boolean {
  return faults.transient_error_rate > 0 || faults.rejection_rate > 0 || faults.timeout_rate > 0;
}
