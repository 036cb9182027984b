// Writes schema/plan.schema.json from the zod definition, so the published schema never drifts.
import { writeFileSync, mkdirSync } from 'node:fs';
import { z } from 'zod';
const { PlanSchema } = await import('../dist/src/model/plan-schema.js');
mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
const schema = z.toJSONSchema(PlanSchema, { io: 'input', unrepresentable: 'any' });
schema.$id = 'https://jts-storage.local/schema/plan.schema.json';
schema.title = 'jts-storage plan file';
writeFileSync(new URL('../schema/plan.schema.json', import.meta.url), JSON.stringify(schema, null, 2) + '\n');
