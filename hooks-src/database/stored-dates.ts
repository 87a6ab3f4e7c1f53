// A date as PocketBase stores it ("2026-12-05 10:00:00.000Z"), which sorts as the time does: what
// a raw query compares a date column with.
export const storedDate = (date: Date): string => date.toISOString().replace("T", " ");
