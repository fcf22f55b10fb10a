/** An error the venue answers with Binance's body `{"code":-XXXX,"msg":"..."}`. */
export class BinanceError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly httpStatus = 400,
    /** Extra payload some errors carry (cancel-replace reports both halves in `data`). */
    readonly data?: unknown,
  ) {
    super(`${code} ${msg}`);
    this.name = 'BinanceError';
  }
}

const NUMBER_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
const CLIENT_ID_RANGE = '^[\\.A-Z\\:/a-z0-9_-]{1,36}$';

export const binanceErrors = {
  mandatory: (param: string) =>
    new BinanceError(-1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  eitherMandatory: (a: string, b: string) =>
    new BinanceError(-1102, `Param '${a}' or '${b}' must be sent, but both were empty!`),
  illegalNumber: (param: string) =>
    new BinanceError(-1100, `Illegal characters found in parameter '${param}'; legal range is '${NUMBER_RANGE}'.`),
  illegalClientId: (param: string) =>
    new BinanceError(-1100, `Illegal characters found in parameter '${param}'; legal range is '${CLIENT_ID_RANGE}'.`),
  notRequired: (param: string) => new BinanceError(-1106, `Parameter '${param}' sent when not required.`),
  invalidSide: () => new BinanceError(-1117, 'Invalid side.'),
  invalidType: () => new BinanceError(-1116, 'Invalid orderType.'),
  invalidTimeInForce: () => new BinanceError(-1115, 'Invalid timeInForce.'),
  invalidSymbol: () => new BinanceError(-1121, 'Invalid symbol.'),
  filterFailure: (filter: 'PRICE_FILTER' | 'LOT_SIZE' | 'NOTIONAL') => new BinanceError(-1013, `Filter failure: ${filter}`),
  insufficientBalance: () => new BinanceError(-2010, 'Account has insufficient balance for requested action.'),
  duplicateOrder: () => new BinanceError(-2010, 'Duplicate order sent.'),
  stopWouldTrigger: () => new BinanceError(-2010, 'Stop price would trigger immediately.'),
  makerWouldTake: () => new BinanceError(-2010, 'Order would immediately match and take.'),
  unknownOrder: () => new BinanceError(-2011, 'Unknown order sent.'),
  orderDoesNotExist: () => new BinanceError(-2013, 'Order does not exist.'),
  apiKeyMissing: () => new BinanceError(-2014, 'API-key format invalid.', 401),
  apiKeyRejected: () => new BinanceError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
};
