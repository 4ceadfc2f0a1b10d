/*
 * Native kernels for the engine's hot loops on x86-64 with AVX2+FMA or AVX-512: the two products of
 * AlphaNet's first layer and of the pretrained scores, and the Adam/AdamW update of W1.
 *
 * Results do not depend on the instruction set or on how a product is split into rows:
 * - A·Bᵀ (abt): every output element is the dot product of two rows in a canonical order: 16 lanes,
 *   lane l a chain of fused multiply-adds over p = l, l+16, … (the rows zero-padded to a multiple of 16),
 *   starting from +0, then the lanes summed as a fixed tree (l + l+8, then +4, +2, +1). The AVX-512 path
 *   holds the 16 lanes in one register, the AVX2 path in two.
 * - A·B (ab): every output element is one chain of fused multiply-adds over p = 0, 1, … from +0; vectors
 *   run across columns, so their width does not matter.
 * - The optimiser update is elementwise, in double precision with float32 rounding exactly where the
 *   engine's JavaScript rule (optim.ts, updateParam) rounds, so both give the same bits.
 * Built with -ffp-contract=off so the compiler fuses nothing on its own.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef enum { ISA_NONE = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 } isa_t;
static const char *ISA_NAMES[] = {"none", "avx2", "avx512"};

static isa_t detect_isa(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ISA_AVX2;
  return ISA_NONE;
}

static isa_t best_isa;
static isa_t active_isa;

/* ---- A·Bᵀ, AVX-512: blocks of up to 4 rows of A × 4 rows of B, 16 lanes per output in one register. */

#define TILE_B 16 /* rows of B per tile: at d = 12,288 about 0.8 MB, kept in L2 across A's rows */

__attribute__((target("avx512f"))) static inline float reduce512(__m512 v) {
  __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
  return _mm_cvtss_f32(s1);
}

__attribute__((target("avx512f"), always_inline)) static inline void abt512_block(const float *a, const float *b,
                                                                                 float *out, long n, long k,
                                                                                 int ra, int rb) {
  __m512 acc[4][4];
  for (int r = 0; r < ra; r++)
    for (int c = 0; c < rb; c++) acc[r][c] = _mm512_setzero_ps();
  long p = 0;
  for (; p + 16 <= k; p += 16) {
    __m512 x[4], y[4];
    for (int r = 0; r < ra; r++) x[r] = _mm512_loadu_ps(a + r * k + p);
    for (int c = 0; c < rb; c++) y[c] = _mm512_loadu_ps(b + c * k + p);
    for (int r = 0; r < ra; r++)
      for (int c = 0; c < rb; c++) acc[r][c] = _mm512_fmadd_ps(x[r], y[c], acc[r][c]);
  }
  if (p < k) {
    __mmask16 m = (__mmask16)((1u << (k - p)) - 1);
    __m512 x[4], y[4];
    for (int r = 0; r < ra; r++) x[r] = _mm512_maskz_loadu_ps(m, a + r * k + p);
    for (int c = 0; c < rb; c++) y[c] = _mm512_maskz_loadu_ps(m, b + c * k + p);
    for (int r = 0; r < ra; r++)
      for (int c = 0; c < rb; c++) acc[r][c] = _mm512_fmadd_ps(x[r], y[c], acc[r][c]);
  }
  for (int r = 0; r < ra; r++)
    for (int c = 0; c < rb; c++) out[r * n + c] = reduce512(acc[r][c]);
}

__attribute__((target("avx512f"))) static void abt_avx512(const float *a, const float *b, float *out, long m,
                                                          long n, long k) {
  for (long j0 = 0; j0 < n; j0 += TILE_B) {
    long j1 = j0 + TILE_B < n ? j0 + TILE_B : n;
    long i = 0;
    for (; i + 4 <= m; i += 4) {
      long j = j0;
      for (; j + 4 <= j1; j += 4) abt512_block(a + i * k, b + j * k, out + i * n + j, n, k, 4, 4);
      for (; j < j1; j++) abt512_block(a + i * k, b + j * k, out + i * n + j, n, k, 4, 1);
    }
    for (; i < m; i++) {
      long j = j0;
      for (; j + 4 <= j1; j += 4) abt512_block(a + i * k, b + j * k, out + i * n + j, n, k, 1, 4);
      for (; j < j1; j++) abt512_block(a + i * k, b + j * k, out + i * n + j, n, k, 1, 1);
    }
  }
}

/* ---- A·Bᵀ, AVX2+FMA: the same 16 lanes as two 8-lane registers (lo = lanes 0–7, hi = lanes 8–15). */

__attribute__((target("avx2,fma"))) static inline float reduce256x2(__m256 lo, __m256 hi) {
  __m256 s8 = _mm256_add_ps(lo, hi);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
  return _mm_cvtss_f32(s1);
}

/* Masks for the zero-padded tail: element e of the 16 loads if e < count. */
__attribute__((target("avx2,fma"))) static inline __m256i tail_mask8(long count) {
  __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count < 0 ? 0 : count > 8 ? 8 : count)), idx);
}

__attribute__((target("avx2,fma"), always_inline)) static inline void abt256_block(const float *a, const float *b,
                                                                                  float *out, long n, long k,
                                                                                  int ra, int rb) {
  __m256 lo[2][2], hi[2][2];
  for (int r = 0; r < ra; r++)
    for (int c = 0; c < rb; c++) lo[r][c] = hi[r][c] = _mm256_setzero_ps();
  long p = 0;
  for (; p + 16 <= k; p += 16) {
    __m256 xl[2], xh[2], yl[2], yh[2];
    for (int r = 0; r < ra; r++) {
      xl[r] = _mm256_loadu_ps(a + r * k + p);
      xh[r] = _mm256_loadu_ps(a + r * k + p + 8);
    }
    for (int c = 0; c < rb; c++) {
      yl[c] = _mm256_loadu_ps(b + c * k + p);
      yh[c] = _mm256_loadu_ps(b + c * k + p + 8);
    }
    for (int r = 0; r < ra; r++)
      for (int c = 0; c < rb; c++) {
        lo[r][c] = _mm256_fmadd_ps(xl[r], yl[c], lo[r][c]);
        hi[r][c] = _mm256_fmadd_ps(xh[r], yh[c], hi[r][c]);
      }
  }
  if (p < k) {
    __m256i ml = tail_mask8(k - p), mh = tail_mask8(k - p - 8);
    __m256 xl[2], xh[2], yl[2], yh[2];
    for (int r = 0; r < ra; r++) {
      xl[r] = _mm256_maskload_ps(a + r * k + p, ml);
      xh[r] = _mm256_maskload_ps(a + r * k + p + 8, mh);
    }
    for (int c = 0; c < rb; c++) {
      yl[c] = _mm256_maskload_ps(b + c * k + p, ml);
      yh[c] = _mm256_maskload_ps(b + c * k + p + 8, mh);
    }
    for (int r = 0; r < ra; r++)
      for (int c = 0; c < rb; c++) {
        lo[r][c] = _mm256_fmadd_ps(xl[r], yl[c], lo[r][c]);
        hi[r][c] = _mm256_fmadd_ps(xh[r], yh[c], hi[r][c]);
      }
  }
  for (int r = 0; r < ra; r++)
    for (int c = 0; c < rb; c++) out[r * n + c] = reduce256x2(lo[r][c], hi[r][c]);
}

__attribute__((target("avx2,fma"))) static void abt_avx2(const float *a, const float *b, float *out, long m, long n,
                                                         long k) {
  for (long j0 = 0; j0 < n; j0 += TILE_B) {
    long j1 = j0 + TILE_B < n ? j0 + TILE_B : n;
    long i = 0;
    for (; i + 2 <= m; i += 2) {
      long j = j0;
      for (; j + 2 <= j1; j += 2) abt256_block(a + i * k, b + j * k, out + i * n + j, n, k, 2, 2);
      for (; j < j1; j++) abt256_block(a + i * k, b + j * k, out + i * n + j, n, k, 2, 1);
    }
    for (; i < m; i++)
      for (long j = j0; j < j1; j++) abt256_block(a + i * k, b + j * k, out + i * n + j, n, k, 1, 1);
  }
}

/* ---- A·B: blocks of up to 4 rows of A × up to 4 vectors of columns, one FMA chain per element over p. */

__attribute__((target("avx512f"), always_inline)) static inline void ab512_block(const float *a, const float *b,
                                                                                float *out, long n, long k,
                                                                                int ra, int nv, long tail) {
  __mmask16 last = (__mmask16)(tail >= 16 ? 0xFFFF : (1u << tail) - 1);
  __m512 acc[4][4];
  for (int r = 0; r < ra; r++)
    for (int v = 0; v < nv; v++) acc[r][v] = _mm512_setzero_ps();
  for (long p = 0; p < k; p++) {
    __m512 y[4];
    for (int v = 0; v < nv; v++)
      y[v] = v == nv - 1 && tail < 16 ? _mm512_maskz_loadu_ps(last, b + p * n + 16 * v) : _mm512_loadu_ps(b + p * n + 16 * v);
    for (int r = 0; r < ra; r++) {
      __m512 x = _mm512_set1_ps(a[r * k + p]);
      for (int v = 0; v < nv; v++) acc[r][v] = _mm512_fmadd_ps(x, y[v], acc[r][v]);
    }
  }
  for (int r = 0; r < ra; r++)
    for (int v = 0; v < nv; v++) {
      if (v == nv - 1 && tail < 16) _mm512_mask_storeu_ps(out + r * n + 16 * v, last, acc[r][v]);
      else _mm512_storeu_ps(out + r * n + 16 * v, acc[r][v]);
    }
}

__attribute__((target("avx512f"))) static void ab_avx512(const float *a, const float *b, float *out, long m, long n,
                                                         long k) {
  for (long j = 0; j < n; j += 64) {
    long cols = n - j < 64 ? n - j : 64;
    int nv = (int)((cols + 15) / 16);
    long tail = cols - 16 * (nv - 1);
    long i = 0;
    for (; i + 4 <= m; i += 4) {
      /* The common full-width block with constant arguments, so the compiler unrolls it. */
      if (nv == 4 && tail == 16) ab512_block(a + i * k, b + j, out + i * n + j, n, k, 4, 4, 16);
      else ab512_block(a + i * k, b + j, out + i * n + j, n, k, 4, nv, tail);
    }
    for (; i < m; i++) ab512_block(a + i * k, b + j, out + i * n + j, n, k, 1, nv, tail);
  }
}

__attribute__((target("avx2,fma"), always_inline)) static inline void ab256_block(const float *a, const float *b,
                                                                                 float *out, long n, long k, int ra,
                                                                                 int nv, long tail) {
  __m256 acc[2][4];
  __m256i last = tail_mask8(tail);
  for (int r = 0; r < ra; r++)
    for (int v = 0; v < nv; v++) acc[r][v] = _mm256_setzero_ps();
  for (long p = 0; p < k; p++) {
    __m256 y[4];
    for (int v = 0; v < nv; v++)
      y[v] = v == nv - 1 && tail < 8 ? _mm256_maskload_ps(b + p * n + 8 * v, last) : _mm256_loadu_ps(b + p * n + 8 * v);
    for (int r = 0; r < ra; r++) {
      __m256 x = _mm256_set1_ps(a[r * k + p]);
      for (int v = 0; v < nv; v++) acc[r][v] = _mm256_fmadd_ps(x, y[v], acc[r][v]);
    }
  }
  for (int r = 0; r < ra; r++)
    for (int v = 0; v < nv; v++) {
      if (v == nv - 1 && tail < 8) _mm256_maskstore_ps(out + r * n + 8 * v, last, acc[r][v]);
      else _mm256_storeu_ps(out + r * n + 8 * v, acc[r][v]);
    }
}

__attribute__((target("avx2,fma"))) static void ab_avx2(const float *a, const float *b, float *out, long m, long n,
                                                        long k) {
  for (long j = 0; j < n; j += 32) {
    long cols = n - j < 32 ? n - j : 32;
    int nv = (int)((cols + 7) / 8);
    long tail = cols - 8 * (nv - 1);
    long i = 0;
    for (; i + 2 <= m; i += 2) {
      /* The common full-width block with constant arguments, so the compiler unrolls it. */
      if (nv == 4 && tail == 8) ab256_block(a + i * k, b + j, out + i * n + j, n, k, 2, 4, 8);
      else ab256_block(a + i * k, b + j, out + i * n + j, n, k, 2, nv, tail);
    }
    for (; i < m; i++) ab256_block(a + i * k, b + j, out + i * n + j, n, k, 1, nv, tail);
  }
}

/* ---- Adam / AdamW, elementwise: optim.ts's rule, operation for operation (see updateParam). */

static inline float f32(double x) { return (float)x; }

/*
 * One element. The decay is applied even when it is 1 (Adam): p·1 is p exactly, and a loop without the
 * branch vectorises. Math.max's rule for vMax: NaN when either is NaN.
 */
#define ADAM_ELEMENT(AMSGRAD)                                                                                    \
  do {                                                                                                           \
    double gi = g[i];                                                                                            \
    double pi = f32((double)p[i] * decay);                                                                       \
    float mi = f32((double)f32(beta1 * (double)m[i]) + (1.0 - beta1) * gi);                                      \
    m[i] = mi;                                                                                                   \
    float second = f32((double)f32(beta2 * (double)v[i]) + (1.0 - beta2) * gi * gi);                             \
    v[i] = second;                                                                                               \
    if (AMSGRAD) {                                                                                               \
      float prev = vmax[i];                                                                                      \
      second = (prev > second || prev != prev) ? prev : second;                                                  \
      vmax[i] = second;                                                                                          \
    }                                                                                                            \
    float denom = f32((double)f32((double)f32(sqrt((double)second)) / bc2_sqrt) + eps);                          \
    p[i] = f32(pi - step_size * (double)f32((double)mi / (double)denom));                                        \
  } while (0)

__attribute__((target_clones("avx512f", "avx2", "default"))) static void adam_update(
    float *restrict p, const float *restrict g, float *restrict m, float *restrict v, float *restrict vmax, long len,
    double beta1, double beta2, double step_size, double bc2_sqrt, double decay, double eps) {
  if (vmax)
    for (long i = 0; i < len; i++) ADAM_ELEMENT(1);
  else
    for (long i = 0; i < len; i++) ADAM_ELEMENT(0);
}

/* ---- N-API glue. */

#define CHECK(call)                                                                                              \
  do {                                                                                                           \
    if ((call) != napi_ok) {                                                                                     \
      napi_throw_error(env, NULL, "alphanet kernels: " #call " failed");                                         \
      return NULL;                                                                                               \
    }                                                                                                            \
  } while (0)

/* A Float32Array argument's data and length; throws (returns 0) unless it is one. */
static int get_f32(napi_env env, napi_value value, float **data, size_t *length, const char *name) {
  bool is_typed = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, length, (void **)data, NULL, NULL) != napi_ok ||
      type != napi_float32_array) {
    char msg[96];
    snprintf(msg, sizeof msg, "alphanet kernels: %s must be a Float32Array", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

static int get_dim(napi_env env, napi_value value, long *out, const char *name) {
  int64_t x = -1;
  if (napi_get_value_int64(env, value, &x) != napi_ok || x < 0 || x > (1LL << 40)) {
    char msg[96];
    snprintf(msg, sizeof msg, "alphanet kernels: %s must be a non-negative integer", name);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  *out = (long)x;
  return 1;
}

static int too_short(napi_env env, size_t have, long need, const char *name) {
  if ((long)have >= need) return 0;
  char msg[128];
  snprintf(msg, sizeof msg, "alphanet kernels: %s holds %zu floats, the product needs %ld", name, have, need);
  napi_throw_range_error(env, NULL, msg);
  return 1;
}

/* product(a, b, out, m, n, k) for abt (a m×k, b n×k) and ab (a m×k, b k×n); out m×n. */
static napi_value product(napi_env env, napi_callback_info info, int transposed_b) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "alphanet kernels: product(a, b, out, m, n, k)");
    return NULL;
  }
  float *a, *b, *out;
  size_t la, lb, lo;
  long m, n, k;
  if (!get_f32(env, argv[0], &a, &la, "a") || !get_f32(env, argv[1], &b, &lb, "b") ||
      !get_f32(env, argv[2], &out, &lo, "out") || !get_dim(env, argv[3], &m, "m") || !get_dim(env, argv[4], &n, "n") ||
      !get_dim(env, argv[5], &k, "k"))
    return NULL;
  if (too_short(env, la, m * k, "a") || too_short(env, lb, n * k, "b") || too_short(env, lo, m * n, "out"))
    return NULL;
  if (active_isa == ISA_NONE) {
    napi_throw_error(env, NULL, "alphanet kernels: this CPU has neither AVX2+FMA nor AVX-512");
    return NULL;
  }
  if (transposed_b) {
    if (active_isa == ISA_AVX512) abt_avx512(a, b, out, m, n, k);
    else abt_avx2(a, b, out, m, n, k);
  } else {
    if (active_isa == ISA_AVX512) ab_avx512(a, b, out, m, n, k);
    else ab_avx2(a, b, out, m, n, k);
  }
  return NULL;
}

static napi_value abt(napi_env env, napi_callback_info info) { return product(env, info, 1); }
static napi_value ab(napi_env env, napi_callback_info info) { return product(env, info, 0); }

/* adam(p, g, m, v, vmax | null, beta1, beta2, stepSize, bc2Sqrt, decay, eps) */
static napi_value adam(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 11) {
    napi_throw_type_error(env, NULL, "alphanet kernels: adam(p, g, m, v, vmax, beta1, beta2, stepSize, bc2Sqrt, decay, eps)");
    return NULL;
  }
  float *p, *g, *m, *v, *vmax = NULL;
  size_t lp, lg, lm, lv, lvm;
  if (!get_f32(env, argv[0], &p, &lp, "p") || !get_f32(env, argv[1], &g, &lg, "g") ||
      !get_f32(env, argv[2], &m, &lm, "m") || !get_f32(env, argv[3], &v, &lv, "v"))
    return NULL;
  napi_valuetype t;
  CHECK(napi_typeof(env, argv[4], &t));
  if (t != napi_null && t != napi_undefined) {
    if (!get_f32(env, argv[4], &vmax, &lvm, "vmax")) return NULL;
    if (too_short(env, lvm, (long)lp, "vmax")) return NULL;
  }
  if (too_short(env, lg, (long)lp, "g") || too_short(env, lm, (long)lp, "m") || too_short(env, lv, (long)lp, "v"))
    return NULL;
  double s[6];
  for (int i = 0; i < 6; i++) CHECK(napi_get_value_double(env, argv[5 + i], &s[i]));
  adam_update(p, g, m, v, vmax, (long)lp, s[0], s[1], s[2], s[3], s[4], s[5]);
  return NULL;
}

/* isa() → the instruction set in use; useIsa(name) picks one this CPU has (tests compare them). */
static napi_value isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_string_utf8(env, ISA_NAMES[active_isa], NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value use_isa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[16] = {0};
  size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "alphanet kernels: useIsa(name)");
    return NULL;
  }
  for (int i = ISA_AVX2; i <= (int)best_isa; i++)
    if (strcmp(name, ISA_NAMES[i]) == 0) {
      active_isa = (isa_t)i;
      return NULL;
    }
  napi_throw_range_error(env, NULL, "alphanet kernels: this CPU does not have that instruction set");
  return NULL;
}

NAPI_MODULE_INIT() {
  best_isa = detect_isa();
  active_isa = best_isa;
  napi_property_descriptor props[] = {
      {"abt", NULL, abt, NULL, NULL, NULL, napi_default, NULL},
      {"ab", NULL, ab, NULL, NULL, NULL, napi_default, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_default, NULL},
      {"isa", NULL, isa, NULL, NULL, NULL, napi_default, NULL},
      {"useIsa", NULL, use_isa, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
