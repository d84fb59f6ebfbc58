// The programs a host's shell can run, by name, each with the one-line summary `help` prints
// and how Tab completes its words.

import type { Program } from '../programs/types.ts';
import type { CompletionSpec } from './completion.ts';

export interface ProgramEntry {
  run: Program;
  /** One line for `help`, e.g. 'send ICMP ECHO_REQUEST to network hosts'. */
  summary: string;
  completion?: CompletionSpec;
}

export class ProgramRegistry {
  private programs = new Map<string, ProgramEntry>();

  /** `parent`'s programs show through, and those registered here come first. */
  constructor(private readonly parent?: ProgramRegistry) {}

  /** A registry of one session's own programs (its `bash`) over this one's. */
  layer(): ProgramRegistry {
    return new ProgramRegistry(this);
  }

  /** Adds (or replaces) a program. */
  register(name: string, run: Program, summary: string, completion?: CompletionSpec): this {
    this.programs.set(name, { run, summary, completion });
    return this;
  }

  get(name: string): ProgramEntry | undefined {
    return this.programs.get(name) ?? this.parent?.get(name);
  }

  /** Program names, sorted. */
  names(): string[] {
    return [...new Set([...this.programs.keys(), ...(this.parent?.names() ?? [])])].sort();
  }
}
