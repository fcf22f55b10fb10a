import { it } from 'vitest';
import { closeWire, newTradeWire } from '../support/directives.js';
import { clientOrderId as coid } from '../../src/domain/ids.js';
import { useWorlds } from './recovery-world.js';
const { world, restart } = useWorlds('dbg');

it('debug', async () => {
  const w = world();
  const open = newTradeWire();
  await w.submit(open);
  const close = closeWire([open.directive_id]);
  w.connector.hangAfterPlace = (req) => (req.client_order_id === coid(close.directive_id, 'C0') ? 'hang' : 'go');
  await w.submitAndCrash(close);
  console.log((await w.store.journal.read({ flow_id: close.directive_id })).map((e) => [e.event_type, JSON.stringify(e.body).slice(0, 200)]));
  const r = await restart(w);
  const rep = await r.recover();
  console.log(JSON.stringify(rep.flows));
  console.log((await r.store.journal.read({ flow_id: close.directive_id })).map((e) => [e.event_type, JSON.stringify(e.body).slice(0, 300)]));
});
