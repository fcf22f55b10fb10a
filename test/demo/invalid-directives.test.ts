import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import { parseDirectiveLine } from '../../src/domain/directive.js';
import { ValidationError } from '../../src/domain/errors.js';
import { DemoIds } from '../../src/demo/demo-ids.js';
import { DEMO_INSTRUMENTS } from '../../src/demo/demo-instruments.js';
import { INVALID_KINDS, type InvalidKind, invalidDirectiveLine } from '../../src/demo/invalid-directives.js';
import { mulberry32 } from '../../src/demo/prng.js';

const EXPECTED_RULE: Record<InvalidKind, string[]> = {
  missing_plan: ['required_for_scope'],
  limit_without_price: ['required_for_order_type'],
  bad_decimal: ['decimal', 'magnitude', 'positive'],
  malformed_json: ['json'],
  stop_wrong_side: ['stop_loss_side'],
};

describe('invalidDirectiveLine', () => {
  it.each(INVALID_KINDS)('%s is refused with the rule it breaks', (kind) => {
    const rng = mulberry32(1);
    for (let i = 0; i < 10; i++) {
      const line = invalidDirectiveLine(kind, DEMO_INSTRUMENTS[0]!, new Decimal('65000'), Date.UTC(2026, 0, 1), new DemoIds(1), rng);
      let error: unknown;
      try {
        parseDirectiveLine(line);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      const rules = (error as ValidationError).issues.map((issue) => issue.rule);
      expect(rules.some((r) => EXPECTED_RULE[kind].includes(r))).toBe(true);
    }
  });
});
