export interface FeatureVariant {
  label: string;
  feature?: string;
  scenarios: string[];
}
export const FEATURE_VARIANTS: Record<string, FeatureVariant>;
export function variantHooks(hooksDir: string, variant: FeatureVariant): Record<string, string>;
