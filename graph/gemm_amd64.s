#include "textflag.h"

// Exact replica of gonum's Sgemm for op(B) = B (gonum v0.11–v0.16, blas/gonum/sgemm.go):
// every C[i,j] starts at +0 (β = 0) and, for l = 0, 1, …, k−1 in order, unless A(i,l) == 0,
// becomes fl(C[i,j] + fl(A(i,l)·B[l,j])) — f32.AxpyUnitary's MULPS then ADDPS, one rounding
// each, no FMA. gonum's blocking and goroutines only change which elements are computed
// together, never this order, so the results are bit-identical. The zero test is a
// NEQ_UQ compare (a NaN A(i,l) is not skipped, as in gonum) used as a write mask of the add.

// func sgemm4x32(k int, a []float32, sai, sal int, b []float32, ldb int, c []float32, ldc int, m0, m1 uint16)
// C[r, j] for r < 4, j < 32 (lanes enabled by m0 for j < 16, m1 for j ≥ 16) of the tile whose
// A(r, l) is a[r·sai + l·sal], B[l, j] is b[l·ldb + j] and C[r, j] is c[r·ldc + j] (strides in
// elements). Disabled lanes of B are not read and of C not written.
TEXT ·sgemm4x32(SB), NOSPLIT, $0-116
	MOVQ    k+0(FP), CX
	MOVQ    a_base+8(FP), SI
	MOVQ    sai+32(FP), R8
	MOVQ    sal+40(FP), R9
	MOVQ    b_base+48(FP), DI
	MOVQ    ldb+72(FP), R10
	MOVQ    c_base+80(FP), DX
	MOVQ    ldc+104(FP), R11
	KMOVW   m0+112(FP), K5
	KMOVW   m1+114(FP), K6
	SHLQ    $2, R8              // byte strides
	SHLQ    $2, R9
	SHLQ    $2, R10
	SHLQ    $2, R11
	VPXORD  Z16, Z16, Z16       // accumulators: +0
	VPXORD  Z17, Z17, Z17
	VPXORD  Z18, Z18, Z18
	VPXORD  Z19, Z19, Z19
	VPXORD  Z20, Z20, Z20
	VPXORD  Z21, Z21, Z21
	VPXORD  Z22, Z22, Z22
	VPXORD  Z23, Z23, Z23
	VPXORD  Z31, Z31, Z31       // zero
	LEAQ    (SI)(R8*2), R12     // &A(2, l)
	TESTQ   CX, CX
	JZ      store

loop:
	VMOVUPS.Z    (DI), K5, Z0      // B[l, 0:16]
	VMOVUPS.Z    64(DI), K6, Z1    // B[l, 16:32]

	VBROADCASTSS (SI), Z2          // A(0, l)
	VCMPPS       $4, Z31, Z2, K1   // A ≠ 0 (or NaN)
	VMULPS       Z0, Z2, Z3
	VADDPS       Z3, Z16, K1, Z16
	VMULPS       Z1, Z2, Z4
	VADDPS       Z4, Z17, K1, Z17

	VBROADCASTSS (SI)(R8*1), Z2    // A(1, l)
	VCMPPS       $4, Z31, Z2, K2
	VMULPS       Z0, Z2, Z3
	VADDPS       Z3, Z18, K2, Z18
	VMULPS       Z1, Z2, Z4
	VADDPS       Z4, Z19, K2, Z19

	VBROADCASTSS (R12), Z2         // A(2, l)
	VCMPPS       $4, Z31, Z2, K3
	VMULPS       Z0, Z2, Z3
	VADDPS       Z3, Z20, K3, Z20
	VMULPS       Z1, Z2, Z4
	VADDPS       Z4, Z21, K3, Z21

	VBROADCASTSS (R12)(R8*1), Z2   // A(3, l)
	VCMPPS       $4, Z31, Z2, K4
	VMULPS       Z0, Z2, Z3
	VADDPS       Z3, Z22, K4, Z22
	VMULPS       Z1, Z2, Z4
	VADDPS       Z4, Z23, K4, Z23

	ADDQ         R9, SI
	ADDQ         R9, R12
	ADDQ         R10, DI
	DECQ         CX
	JNZ          loop

store:
	VMOVUPS      Z16, K5, (DX)
	VMOVUPS      Z17, K6, 64(DX)
	ADDQ         R11, DX
	VMOVUPS      Z18, K5, (DX)
	VMOVUPS      Z19, K6, 64(DX)
	ADDQ         R11, DX
	VMOVUPS      Z20, K5, (DX)
	VMOVUPS      Z21, K6, 64(DX)
	ADDQ         R11, DX
	VMOVUPS      Z22, K5, (DX)
	VMOVUPS      Z23, K6, 64(DX)
	VZEROUPPER
	RET

// Exact replica of gonum's f32.DotUnitary (internal/asm/f32/dotunitary_amd64.s) evaluated for
// 16 x vectors at once, one per lane, against one shared y: per lane, `trim` leading products
// are added to partial sum 0 (DotUnitary's alignment prologue, whose length depends on y's
// address only), then blocks of 16 feed partial sums 0–3 (positions 0–3 and 8–11) and 4–7
// (positions 4–7 and 12–15), the latter added into the former after the loop, then blocks of
// 4 and single products, and finally (s0 + s1) + (s2 + s3) as its two HADDPS. Products and
// sums are single-rounded float32 MULs and ADDs, as there.

#define DOTSTEP(xoff, acc) \
	VMOVUPS      (SI), Z0   \
	VMULPS.BCST  xoff(DI), Z0, Z1 \
	VADDPS       Z1, acc, acc  \
	ADDQ         R8, SI

// func sdotT16(k int, x []float32, ldx int, y []float32, trim int, out *[16]float32)
// out[r] = DotUnitary(column r of x over k rows, y[:k]) for the 16 lanes r, where row l of x
// starts at x[l·ldx]; trim ≤ k is the length of DotUnitary's alignment prologue for y.
TEXT ·sdotT16(SB), NOSPLIT, $0-80
	MOVQ    k+0(FP), CX
	MOVQ    x_base+8(FP), SI
	MOVQ    ldx+32(FP), R8
	SHLQ    $2, R8
	MOVQ    y_base+40(FP), DI
	MOVQ    trim+64(FP), BX
	VPXORD  Z16, Z16, Z16
	VPXORD  Z17, Z17, Z17
	VPXORD  Z18, Z18, Z18
	VPXORD  Z19, Z19, Z19
	VPXORD  Z20, Z20, Z20
	VPXORD  Z21, Z21, Z21
	VPXORD  Z22, Z22, Z22
	VPXORD  Z23, Z23, Z23
	SUBQ    BX, CX           // CX = k − trim
	TESTQ   BX, BX
	JZ      notrim

trimloop:
	DOTSTEP(0, Z16)
	ADDQ    $4, DI
	DECQ    BX
	JNZ     trimloop
	TESTQ   CX, CX
	JZ      end

notrim:
	MOVQ    CX, BX
	ANDQ    $15, BX          // tail
	SHRQ    $4, CX           // blocks of 16
	JZ      tail4start

loop16:
	DOTSTEP(0, Z16)
	DOTSTEP(4, Z17)
	DOTSTEP(8, Z18)
	DOTSTEP(12, Z19)
	DOTSTEP(16, Z20)
	DOTSTEP(20, Z21)
	DOTSTEP(24, Z22)
	DOTSTEP(28, Z23)
	DOTSTEP(32, Z16)
	DOTSTEP(36, Z17)
	DOTSTEP(40, Z18)
	DOTSTEP(44, Z19)
	DOTSTEP(48, Z20)
	DOTSTEP(52, Z21)
	DOTSTEP(56, Z22)
	DOTSTEP(60, Z23)
	ADDQ    $64, DI
	DECQ    CX
	JNZ     loop16
	VADDPS  Z20, Z16, Z16
	VADDPS  Z21, Z17, Z17
	VADDPS  Z22, Z18, Z18
	VADDPS  Z23, Z19, Z19
	TESTQ   BX, BX
	JZ      end

tail4start:
	MOVQ    BX, CX
	SHRQ    $2, CX
	JZ      tail1start

tail4:
	DOTSTEP(0, Z16)
	DOTSTEP(4, Z17)
	DOTSTEP(8, Z18)
	DOTSTEP(12, Z19)
	ADDQ    $16, DI
	DECQ    CX
	JNZ     tail4

tail1start:
	ANDQ    $3, BX
	JZ      end

tail1:
	DOTSTEP(0, Z16)
	ADDQ    $4, DI
	DECQ    BX
	JNZ     tail1

end:
	VADDPS  Z17, Z16, Z16    // s0 + s1
	VADDPS  Z19, Z18, Z18    // s2 + s3
	VADDPS  Z18, Z16, Z16
	MOVQ    out+72(FP), DX
	VMOVUPS Z16, (DX)
	VZEROUPPER
	RET

// func sgemmFMA4x32(k int, a []float32, sai, sal int, b []float32, ldb int, c []float32, ldc int, m0, m1 uint16)
// The tile product of sgemm4x32 with fused multiply-adds and no zero test: C[r, j] = +0, then
// for l = 0, 1, …, k−1 in order C[r, j] = fma(A(r, l), B[l, j], C[r, j]) (one rounding per
// step). Used by fmaBLAS, not by the gonum replica.
TEXT ·sgemmFMA4x32(SB), NOSPLIT, $0-116
	MOVQ    k+0(FP), CX
	MOVQ    a_base+8(FP), SI
	MOVQ    sai+32(FP), R8
	MOVQ    sal+40(FP), R9
	MOVQ    b_base+48(FP), DI
	MOVQ    ldb+72(FP), R10
	MOVQ    c_base+80(FP), DX
	MOVQ    ldc+104(FP), R11
	KMOVW   m0+112(FP), K5
	KMOVW   m1+114(FP), K6
	SHLQ    $2, R8
	SHLQ    $2, R9
	SHLQ    $2, R10
	SHLQ    $2, R11
	VPXORD  Z16, Z16, Z16
	VPXORD  Z17, Z17, Z17
	VPXORD  Z18, Z18, Z18
	VPXORD  Z19, Z19, Z19
	VPXORD  Z20, Z20, Z20
	VPXORD  Z21, Z21, Z21
	VPXORD  Z22, Z22, Z22
	VPXORD  Z23, Z23, Z23
	LEAQ    (SI)(R8*2), R12
	TESTQ   CX, CX
	JZ      fstore

floop:
	VMOVUPS.Z    (DI), K5, Z0
	VMOVUPS.Z    64(DI), K6, Z1
	VBROADCASTSS (SI), Z2
	VBROADCASTSS (SI)(R8*1), Z3
	VBROADCASTSS (R12), Z4
	VBROADCASTSS (R12)(R8*1), Z5
	VFMADD231PS  Z0, Z2, Z16
	VFMADD231PS  Z1, Z2, Z17
	VFMADD231PS  Z0, Z3, Z18
	VFMADD231PS  Z1, Z3, Z19
	VFMADD231PS  Z0, Z4, Z20
	VFMADD231PS  Z1, Z4, Z21
	VFMADD231PS  Z0, Z5, Z22
	VFMADD231PS  Z1, Z5, Z23
	ADDQ         R9, SI
	ADDQ         R9, R12
	ADDQ         R10, DI
	DECQ         CX
	JNZ          floop

fstore:
	VMOVUPS      Z16, K5, (DX)
	VMOVUPS      Z17, K6, 64(DX)
	ADDQ         R11, DX
	VMOVUPS      Z18, K5, (DX)
	VMOVUPS      Z19, K6, 64(DX)
	ADDQ         R11, DX
	VMOVUPS      Z20, K5, (DX)
	VMOVUPS      Z21, K6, 64(DX)
	ADDQ         R11, DX
	VMOVUPS      Z22, K5, (DX)
	VMOVUPS      Z23, K6, 64(DX)
	VZEROUPPER
	RET
