/**
 * Payload schemas of native topics (docs/native-protocol.md §9): bytes, string (UTF-8), int64
 * (8 bytes big-endian) and JSON, optionally checked against a JSON Schema with ajv. Compiled
 * validators are cached per schema text.
 */
import Ajv, { ValidateFunction } from 'ajv';
import type { SchemaInfo } from '../../protocol/native/messages';
import { NativeError } from './native-error';

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new Map<string, ValidateFunction>();
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function sameSchema(a: SchemaInfo, b: SchemaInfo): boolean {
  return a.type === b.type && normalize(a.definition) === normalize(b.definition);
}

function normalize(definition: string | null): string | null {
  if (definition === null) return null;
  try {
    return JSON.stringify(JSON.parse(definition));
  } catch {
    return definition;
  }
}

/** Throws invalidRequest when a JSON Schema does not parse or compile. */
export function checkSchemaDefinition(schema: SchemaInfo): void {
  if (schema.definition === null) return;
  if (schema.type !== 'json') throw new NativeError('invalidRequest', `a ${schema.type} schema takes no definition`);
  validatorFor(schema.definition);
}

function validatorFor(definition: string): ValidateFunction {
  let validate = compiled.get(definition);
  if (!validate) {
    try {
      validate = ajv.compile(JSON.parse(definition) as object);
    } catch (err) {
      throw new NativeError('invalidRequest', `JSON Schema does not compile: ${(err as Error).message}`);
    }
    compiled.set(definition, validate);
  }
  return validate;
}

function invalid(index: number, why: string): never {
  throw new NativeError('schemaValidation', `message ${index}: ${why}`);
}

/** Throws schemaValidation naming the message index and why. */
/** False for bytes without a size policy: every payload passes, nothing per message to check. */
export function needsMessageChecks(schema: SchemaInfo, maxMessageBytes: number | undefined): boolean {
  return schema.type !== 'bytes' || maxMessageBytes !== undefined;
}

/** Message `index` against the namespace's size policy and the topic's schema; throws messageTooLarge or schemaValidation. */
export function checkMessage(schema: SchemaInfo, maxMessageBytes: number | undefined, payload: Buffer, index: number): void {
  if (maxMessageBytes !== undefined && payload.length > maxMessageBytes) {
    throw new NativeError('messageTooLarge', `message ${index} has ${payload.length} bytes; the namespace allows ${maxMessageBytes}`);
  }
  validatePayload(schema, payload, index);
}

export function validatePayload(schema: SchemaInfo, payload: Buffer, index: number): void {
  switch (schema.type) {
    case 'bytes':
      return;
    case 'int64':
      if (payload.length !== 8) invalid(index, `int64 payload must be 8 bytes, not ${payload.length}`);
      return;
    case 'string':
      try {
        utf8.decode(payload);
      } catch {
        invalid(index, 'string payload is not valid UTF-8');
      }
      return;
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(payload));
      } catch {
        invalid(index, 'payload is not valid JSON');
      }
      if (schema.definition === null) return;
      const validate = validatorFor(schema.definition);
      if (!validate(value)) invalid(index, `JSON does not match the topic's schema: ${ajv.errorsText(validate.errors)}`);
    }
  }
}
