// $app.store(), the state every VM shares. Each call of $app.store() goes into Go and wraps the one
// store anew (13 k instructions, counted under callgrind), so each VM keeps its wrapper.
let store: store.Store<string, any> | undefined;

export function appStore(): store.Store<string, any> {
  return (store ??= $app.store());
}
