import { PlanexecError } from '../domain/errors.js';

/**
 * A price or bar file that cannot be read: names the file, the line, the column and the rule
 * broken (details.rule, stable for tests and tools). Line 0 is "the file as a whole".
 */
export class PriceFileError extends PlanexecError {
  constructor(file: string, line: number, column: string, message: string, rule = 'invalid') {
    const where = line === 0 ? '' : column === '' ? `, line ${line}` : `, line ${line}, column ${column}`;
    super(`price file ${file}${where}: ${message}`, { code: 'PRICE_FILE_INVALID', details: { file, line, column, rule } });
    this.name = 'PriceFileError';
  }
}
