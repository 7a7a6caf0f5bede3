import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kernel } from '../../kernel/kernel.js';
import { healthSchema } from './system.schemas.js';
import { checkHealth } from './system.service.js';

/** Routes of the system module: health for load balancers, monitors and the status page. */
export async function systemRoutes(scope: FastifyInstance, kernel: Kernel): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/health',
    {
      config: { policy: { access: 'public' }, rateLimit: false },
      schema: {
        tags: ['system'],
        operationId: 'getHealth',
        summary: 'Is this instance up, and on which database?',
        security: [],
        response: { 200: healthSchema },
      },
    },
    () => checkHealth(kernel),
  );
}
