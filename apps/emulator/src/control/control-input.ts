import { ControlInputError } from '../scenarios/scenario.engine';
import { ALL_RIGHTS, type OrgState, type Right } from '../state/emulator-state.model';
import type { StateStore } from '../state/state.store';

/** Checks of the control operations' input: each failure is a ControlInputError (HTTP 400) naming the field. */
export function bool(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ControlInputError(`${name} must be a boolean`);
  return value;
}

export function str(value: unknown, name: string, required: true): string;
export function str(value: unknown, name: string, required?: false): string | undefined;
export function str(value: unknown, name: string, required = false): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw new ControlInputError(`${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 500)
    throw new ControlInputError(`${name} must be a string`);
  return value.trim();
}

export function rightsOf(value: unknown): Record<string, Right[]> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlInputError('rights must be an object of entity → rights');
  }
  const out: Record<string, Right[]> = {};
  for (const [entity, list] of Object.entries(value)) {
    if (!Array.isArray(list) || !list.every((r) => ALL_RIGHTS.includes(r as Right))) {
      throw new ControlInputError(`rights.${entity} must be a list of ${ALL_RIGHTS.join(', ')}`);
    }
    out[entity.toLowerCase()] = list as Right[];
  }
  return out;
}

/** A control request about something that does not exist; the HTTP layer maps it to 404. */
export class ControlNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlNotFoundError';
  }
}

/** The org named `name`, or a ControlNotFoundError. */
export function orgOrThrow(store: StateStore, name: string): OrgState {
  const org = store.org(name);
  if (!org) throw new ControlNotFoundError(`No org named '${name}'`);
  return org;
}
