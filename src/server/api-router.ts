import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { zodIssues } from '../domain/directive.js';
import { validationError } from './api-errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A response of an operation, for the OpenAPI document. */
export interface ResponseDoc {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Media type when not JSON (text/event-stream, text/plain, text/csv, …). */
  readonly contentType?: string;
}

/**
 * One API operation: what it accepts and answers. The same zod schemas validate the request
 * and describe it in GET /api/openapi.json, so the document cannot drift from the code.
 */
export interface Operation<Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined> {
  readonly method: HttpMethod;
  /** fastify form: /api/flows/:flow_id */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly query?: Q;
  readonly params?: P;
  /** The body's schema; documented only: the handler validates bodies itself (batch issues carry their index). */
  readonly body?: z.ZodType;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ApiRequest<Q, P> {
  readonly query: Q;
  readonly params: P;
  readonly raw: FastifyRequest;
}

export type ApiHandler<Q, P> = (request: ApiRequest<Q, P>, reply: FastifyReply) => Promise<unknown>;

function parsePart<S extends z.ZodType | undefined>(schema: S, value: unknown, what: string): Parsed<S> {
  if (schema === undefined) return undefined as Parsed<S>;
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(zodIssues(result.error, value).map((i) => ({ ...i, index: null })), what);
  return result.data as Parsed<S>;
}

/**
 * Registers operations on fastify and keeps their description. A route group is a function of
 * (router, context); adding one is a file and a line in routes/index.ts.
 */
export class ApiRouter {
  readonly #app: FastifyInstance;
  readonly #operations: Operation<z.ZodType | undefined, z.ZodType | undefined>[] = [];

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  get operations(): readonly Operation<z.ZodType | undefined, z.ZodType | undefined>[] {
    return this.#operations;
  }

  route<Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
    operation: Operation<Q, P>,
    handler: ApiHandler<Parsed<Q>, Parsed<P>>,
  ): void {
    this.#operations.push(operation as Operation<z.ZodType | undefined, z.ZodType | undefined>);
    this.#app.route({
      method: operation.method,
      url: operation.path,
      handler: async (request, reply) => {
        const query = parsePart(operation.query as Q, request.query, 'query');
        const params = parsePart(operation.params as P, request.params, 'path');
        return handler({ query, params, raw: request }, reply);
      },
    });
  }
}
