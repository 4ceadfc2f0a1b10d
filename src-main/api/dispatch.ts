/**
 * The single entry for calls from outside main (IPC and HTTP alike): the method name is checked, the
 * params validated, and errors are turned into a body the renderer can show.
 */
import { isApiMethod, type Api, type ApiErrorBody, type ApiEvent } from '../../src-shared/api.ts';
import { UserError } from '../errors.ts';
import { ApiValidationError, validators } from './validate.ts';

export class NotFoundError extends UserError {
  override name = 'NotFoundError';
}

export type DispatchResult = { ok: true; value: unknown } | { ok: false; status: number; body: ApiErrorBody };

export async function dispatch(api: Api, method: string, raw: unknown): Promise<DispatchResult> {
  if (!isApiMethod(method)) return { ok: false, status: 404, body: { error: `unknown API method '${method}'` } };
  try {
    const params = validators[method](raw);
    // The validator's output type is exactly this method's params; TypeScript cannot correlate the union.
    const call = api[method] as (p: typeof params) => Promise<unknown>;
    return { ok: true, value: await call(params) };
  } catch (error) {
    if (error instanceof ApiValidationError)
      return { ok: false, status: 400, body: { error: error.message, fields: error.fields } };
    if (error instanceof NotFoundError) return { ok: false, status: 404, body: { error: error.message } };
    if (error instanceof UserError) return { ok: false, status: 400, body: { error: error.message } };
    console.error(`alphanet: ${method} failed:`, error);
    return {
      ok: false,
      status: 500,
      body: { error: `internal error in ${method}: ${(error as Error).message ?? String(error)}` },
    };
  }
}

/** Fan-out of API events to every listener (open windows, SSE streams). */
export class EventHub {
  private readonly listeners = new Set<(event: ApiEvent) => void>();

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
