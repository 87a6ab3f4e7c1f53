// WeChat's risk rank at registration (getuserriskrank, scene 0), from the environment:
//   RISK_CHECK        off (default) | observe: ask, store and audit, never refuse | enforce: also act on it
//   RISK_BLOCK_RANK   the rank from which a registration is refused (default 4)
//   RISK_REVIEW_RANK  the rank from which a new account waits for review (default 3): created as
//                     待审核, for staff to approve
// WeChat's guide (安全风控接口指南) reads the ranks as: 0 no risk; 1 and 2 slightly suspicious
// (a simple check such as an SMS code); 3 moderately suspicious (a second verification at sign-up);
// 4 highly suspicious (block). So 4 blocks and 3 goes to review by default.

export type RiskCheckMode = "off" | "observe" | "enforce";

export interface RiskConfig {
  mode: RiskCheckMode;
  blockFromRank: number;
  reviewFromRank: number;
  problems: string[];
}

export const DEFAULT_BLOCK_RANK = 4;
export const DEFAULT_REVIEW_RANK = 3;
export const MAX_RISK_RANK = 4;

export function readRiskConfig(getenv: (name: string) => string = $os.getenv): RiskConfig {
  const problems: string[] = [];
  const rawMode = getenv("RISK_CHECK").trim().toLowerCase();
  let mode: RiskCheckMode = "off";
  if (rawMode === "observe" || rawMode === "enforce") mode = rawMode;
  else if (rawMode !== "" && rawMode !== "off") problems.push("RISK_CHECK must be off, observe or enforce; using off");
  const rank = (name: string, fallback: number): number => {
    const raw = getenv(name).trim();
    if (raw === "") return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 1 && value <= MAX_RISK_RANK + 1) return value;
    problems.push(`${name} must be a rank from 1 to ${MAX_RISK_RANK} (${MAX_RISK_RANK + 1}: never); using ${fallback}`);
    return fallback;
  };
  return { mode, blockFromRank: rank("RISK_BLOCK_RANK", DEFAULT_BLOCK_RANK), reviewFromRank: rank("RISK_REVIEW_RANK", DEFAULT_REVIEW_RANK), problems };
}

let config: RiskConfig | undefined;

// The environment is fixed while PocketBase runs, so each VM reads it once.
export function riskConfig(): RiskConfig {
  return (config ??= readRiskConfig());
}
