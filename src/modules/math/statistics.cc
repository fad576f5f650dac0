// Byte statistics. serial_correlation closes the cycle with the last byte times itself (not the
// first byte, as the textbook formula has it): YARA does so, and rules are tuned on its values.
// For the same reason the string variants of mean, deviation and serial_correlation read bytes
// as signed, while the range variants and monte_carlo_pi read them as unsigned.
#include "modules/math/statistics.h"

#include <cmath>

namespace vigie::mod::math {

Distribution distribution(std::span<const uint8_t> bytes) {
  Distribution d{};
  for (uint8_t b : bytes) ++d[b];
  return d;
}

uint64_t total(const Distribution& d) {
  uint64_t n = 0;
  for (uint64_t c : d) n += c;
  return n;
}

double entropy(const Distribution& d) {
  uint64_t n = total(d);
  double e = 0;
  for (uint64_t c : d) {
    if (c == 0) continue;
    double x = static_cast<double>(c) / static_cast<double>(n);
    e -= x * std::log2(x);
  }
  return e;
}

std::optional<double> mean(const Distribution& d) {
  uint64_t n = total(d);
  if (n == 0) return std::nullopt;
  double sum = 0;
  for (int k = 0; k < 256; ++k) sum += static_cast<double>(k) * static_cast<double>(d[k]);
  return sum / static_cast<double>(n);
}

std::optional<double> deviation(const Distribution& d, double m) {
  uint64_t n = total(d);
  if (n == 0) return std::nullopt;
  double sum = 0;
  for (int k = 0; k < 256; ++k) sum += std::fabs(k - m) * static_cast<double>(d[k]);
  return sum / static_cast<double>(n);
}

int mode(const Distribution& d) {
  int best = 0;
  for (int k = 1; k < 256; ++k) {
    if (d[k] > d[best]) best = k;
  }
  return best;
}

double serial_correlation(std::span<const uint8_t> bytes, bool signed_bytes) {
  double t1 = 0, t2 = 0, t3 = 0, last = 0, u = 0;
  for (uint8_t b : bytes) {
    u = signed_bytes ? static_cast<int8_t>(b) : b;
    t1 += last * u;
    t2 += u;
    t3 += u * u;
    last = u;
  }
  double n = static_cast<double>(bytes.size());
  t1 += last * u;
  t2 *= t2;
  double den = n * t3 - t2;
  if (den == 0) return -100000;
  return (n * t1 - t2) / den;
}

std::optional<double> signed_mean(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return std::nullopt;
  double sum = 0;
  for (uint8_t b : bytes) sum += static_cast<int8_t>(b);
  return sum / static_cast<double>(bytes.size());
}

std::optional<double> signed_deviation(std::span<const uint8_t> bytes, double m) {
  if (bytes.empty()) return std::nullopt;
  double sum = 0;
  for (uint8_t b : bytes) sum += std::fabs(static_cast<int8_t>(b) - m);
  return sum / static_cast<double>(bytes.size());
}

std::optional<double> monte_carlo_pi(std::span<const uint8_t> bytes) {
  const double radius2 = std::pow(std::pow(256.0, 3) - 1, 2);
  uint64_t points = 0, inside = 0;
  for (size_t k = 0; k + 6 <= bytes.size(); k += 6) {
    double x = 0, y = 0;
    for (int j = 0; j < 3; ++j) {
      x = x * 256 + bytes[k + j];
      y = y * 256 + bytes[k + 3 + j];
    }
    ++points;
    if (x * x + y * y <= radius2) ++inside;
  }
  if (points == 0) return std::nullopt;
  double estimate = 4.0 * static_cast<double>(inside) / static_cast<double>(points);
  return std::fabs((estimate - M_PI) / M_PI);
}

}  // namespace vigie::mod::math
