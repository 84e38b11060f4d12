/**
 * The published reference values (test/fixtures/reference/sdm_attention.json, a copy of the workplace's shared/reference, sources named inside): Kanerva 1988,
 * Bricken & Pehlevan 2021 and its public code. Tests compare computed values with these; src never reads them.
 */
import { readFileSync } from 'node:fs';

export interface PublishedSdmAttention {
  circle_intersection: { 'n=64,d=11': Record<string, string> };
  beta_fit: Record<'n=64,d=5' | 'n=64,d=11' | 'n=64,d=15', { published: number; least_squares: number }>;
  softmax_vs_sdm_weights_n64_d11: { sdm_weight_dv0: number; softmax_weight_dv0: number; kl_divergence: number };
  optimal_radius_n64_attention_setting: {
    signal_to_noise_optimal_d: number;
    memory_capacity_optimal_d: number;
    critical_distance_optimal_d: number;
  };
  kanerva_scale: { fraction_of_space_within_radius: number; expected_active_locations_per_address: number };
}

export const published = JSON.parse(
  readFileSync(new URL('../../fixtures/reference/sdm_attention.json', import.meta.url), 'utf8'),
) as PublishedSdmAttention;

/** Absolute tolerance of a value printed with `decimals` digits after the point (half a unit in the last place). */
export function printed(decimals: number): number {
  return 0.5 * 10 ** -decimals;
}

