import type { FastifyInstance } from 'fastify';

/** The directory's import routes. */
export async function importRoutes(scope: FastifyInstance): Promise<void> {
  void scope;
}
