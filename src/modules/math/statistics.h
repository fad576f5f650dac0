// The statistics behind the math module, on a byte distribution or a byte sequence. Each follows
// YARA's arithmetic step by step (summation order included) so results agree to the last bit.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace vigie::mod::math {

// How many times each byte value occurs.
using Distribution = std::array<uint64_t, 256>;

Distribution distribution(std::span<const uint8_t> bytes);
uint64_t total(const Distribution& d);

// Shannon entropy in bits per byte; 0 for no bytes.
double entropy(const Distribution& d);
// Arithmetic mean; nullopt for no bytes.
std::optional<double> mean(const Distribution& d);
// Mean absolute deviation from `mean`; nullopt for no bytes.
std::optional<double> deviation(const Distribution& d, double mean);
// The most frequent byte value, the lowest on ties (0 for no bytes).
int mode(const Distribution& d);
// Serial correlation coefficient as YARA computes it; -100000 when its denominator is 0.
// `signed_bytes` reads bytes as -128..127, as YARA's string variant does.
double serial_correlation(std::span<const uint8_t> bytes, bool signed_bytes = false);
// Mean and mean absolute deviation of the bytes read as -128..127, summed in order: YARA's
// string variants of mean() and deviation(). nullopt for no bytes.
std::optional<double> signed_mean(std::span<const uint8_t> bytes);
std::optional<double> signed_deviation(std::span<const uint8_t> bytes, double mean);
// Relative distance of the Monte Carlo estimate of pi from pi, using 6-byte points; nullopt when
// there is no complete point.
std::optional<double> monte_carlo_pi(std::span<const uint8_t> bytes);

}  // namespace vigie::mod::math
