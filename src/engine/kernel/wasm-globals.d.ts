// The engine's tsconfig has no 'dom' lib, and @types/node 20 does not declare WebAssembly.
// These declarations merge with lib.dom's where both are present.
declare global {
  namespace WebAssembly {
    interface Module {
      readonly __wasmModule?: never;
    }
    interface Memory {
      readonly buffer: ArrayBuffer;
    }
    interface Instance {
      readonly exports: Record<string, unknown>;
    }
    function compile(bytes: Uint8Array): Promise<Module>;
    function instantiate(module: Module, imports?: Record<string, unknown>): Promise<Instance>;
  }
}
export {};
