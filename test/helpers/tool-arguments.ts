// Every argument name the MCP tools take, nested ones included (`queries[].expected_document_ids`).
import { z } from 'zod';
import { TOOLS } from '../../src/tools/index.js';

function propertyNames(schema: unknown, into: Set<string>): Set<string> {
  if (schema === null || typeof schema !== 'object') return into;
  const properties = (schema as { properties?: unknown }).properties;
  if (properties !== null && typeof properties === 'object') {
    for (const key of Object.keys(properties)) into.add(key);
  }
  for (const value of Object.values(schema)) propertyNames(value, into);
  return into;
}

/** The property names of every tool's input JSON Schema, at any depth. */
export function toolArgumentNames(): Set<string> {
  const names = new Set<string>();
  for (const tool of Object.values(TOOLS)) {
    propertyNames(z.toJSONSchema(tool.inputSchema, { io: 'input', unrepresentable: 'any' }), names);
  }
  return names;
}
