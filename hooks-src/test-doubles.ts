// Stand-ins for PocketBase's $app.store(), for unit tests of modules that share state through it.
export class MemoryStore {
  readonly data = new Map<string, any>();
  get(key: string) {
    return this.data.get(key);
  }
  set(key: string, value: any) {
    this.data.set(key, value);
  }
  setFunc(key: string, fn: (old: any) => any) {
    this.data.set(key, fn(this.data.get(key)));
  }
  keys() {
    return [...this.data.keys()];
  }
  remove(key: string) {
    this.data.delete(key);
  }
}

export const asStore = (memory: MemoryStore) => memory as unknown as store.Store<string, any>;
