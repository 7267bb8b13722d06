// comlink over worker_threads MessagePorts: the control plane of every actor (stop, snapshot,
// stats). ≈35 µs a call — never on the per-instruction path.
import * as Comlink from 'comlink';
// @ts-ignore -- comlink ships this adapter without a .d.mts; its shape is (port) => Endpoint.
import nodeEndpointImpl from 'comlink/dist/esm/node-adapter.mjs';
import type { MessagePort } from 'node:worker_threads';

const nodeEndpoint = nodeEndpointImpl as (port: MessagePort) => Comlink.Endpoint;

export function exposeControl(api: object, port: MessagePort): void {
  Comlink.expose(api, nodeEndpoint(port));
}

export function wrapControl<T>(port: MessagePort): Comlink.Remote<T> {
  return Comlink.wrap<T>(nodeEndpoint(port));
}

export function releaseControl(remote: Comlink.Remote<unknown>): void {
  remote[Comlink.releaseProxy]();
}
