import { z } from 'zod';

export const healthSchema = z
  .object({
    status: z.literal('ok'),
    database: z.enum(['pglite', 'postgresql']).describe('Which database engine this instance runs on'),
    version: z.string().describe('The running Cairn version'),
  })
  .meta({ id: 'Health' });

export type Health = z.infer<typeof healthSchema>;
