// A query that SQLite parses once per pooled VM instead of at every call. Parsing and planning a
// `SELECT *` of the users table cost a login more than running it (callgrind: about 300 k
// instructions), and neither dbx nor database/sql keeps a statement between calls.
//
// Each VM holds its own statement: a dbx query binds its parameters in place, so one shared
// between VMs would mix two requests' parameters. PocketBase builds a throwaway VM for a request
// when every pooled one is busy, and a statement prepared there would never be closed: a VM
// prepares from its second call only, which a throwaway VM never makes.
//
// PocketBase turns the rows into records of the collection as it was when the query was built.
// So the statement is built anew when its version changes (the collection's `updated`: a field
// added in the admin UI, a new token secret).
export interface PreparableQuery {
  prepare(): PreparableQuery;
  close(): void;
}

export class PreparedQuery<Query extends PreparableQuery> {
  private calls = 0;
  private prepared: { version: string; query: Query } | null = null;

  constructor(private readonly build: () => Query) {}

  query(version: string): Query {
    if (this.prepared?.version === version) return this.prepared.query;
    this.calls++;
    if (this.calls < 2) return this.build();
    this.prepared?.query.close();
    this.prepared = { version, query: this.build().prepare() as Query };
    return this.prepared.query;
  }
}
