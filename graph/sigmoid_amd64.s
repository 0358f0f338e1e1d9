#include "textflag.h"

// Vectorised sigmoid, bit-identical to gorgonia's _sigmoidf32/_sigmoidf64 on amd64 CPUs with
// AVX and FMA: the exponential is the FMA path of Go's math.archExp (src/math/exp_amd64.s)
// evaluated on 4 lanes, with the same constants and the same sequence of roundings, then
// 1/(1+e) in float64 and, for float32, one rounding to float32. Lanes outside the saturation
// thresholds are set to 0 or 1 as the scalar code does, which also keeps every evaluated
// exponent in the normal range (no overflow, underflow or denormal branch is needed). NaN
// propagates. The constants are the literals of exp_amd64.s, 4 copies each.

#define C4(name, v) DATA name<>+0(SB)/8, v; DATA name<>+8(SB)/8, v; DATA name<>+16(SB)/8, v; DATA name<>+24(SB)/8, v; GLOBL name<>(SB), RODATA, $32

C4(sgLog2e, $1.4426950408889634073599246810018920)
C4(sgLn2u, $0.69314718055966295651160180568695068359375)
C4(sgLn2l, $0.28235290563031577122588448175013436025525412068e-12)
C4(sgSixteenth, $0.0625)
C4(sgC8, $2.4801587301587301587e-5)
C4(sgC7, $1.9841269841269841270e-4)
C4(sgC6, $1.3888888888888888889e-3)
C4(sgC5, $8.3333333333333333333e-3)
C4(sgC4, $4.1666666666666666667e-2)
C4(sgC3, $1.6666666666666666667e-1)
C4(sgHalf, $0.5)
C4(sgOne, $1.0)
C4(sgTwo, $2.0)
C4(sgSign, $0x8000000000000000)
C4(sgBias, $1023)
C4(sgLo64, $-709.0)
C4(sgHi64, $19.0)

DATA sgLo32<>+0(SB)/4, $-88.0
DATA sgLo32<>+4(SB)/4, $-88.0
DATA sgLo32<>+8(SB)/4, $-88.0
DATA sgLo32<>+12(SB)/4, $-88.0
GLOBL sgLo32<>(SB), RODATA, $16
DATA sgHi32<>+0(SB)/4, $15.0
DATA sgHi32<>+4(SB)/4, $15.0
DATA sgHi32<>+8(SB)/4, $15.0
DATA sgHi32<>+12(SB)/4, $15.0
GLOBL sgHi32<>(SB), RODATA, $16
DATA sgOne32<>+0(SB)/4, $1.0
DATA sgOne32<>+4(SB)/4, $1.0
DATA sgOne32<>+8(SB)/4, $1.0
DATA sgOne32<>+12(SB)/4, $1.0
GLOBL sgOne32<>(SB), RODATA, $16
DATA sgSign32<>+0(SB)/4, $0x80000000
DATA sgSign32<>+4(SB)/4, $0x80000000
DATA sgSign32<>+8(SB)/4, $0x80000000
DATA sgSign32<>+12(SB)/4, $0x80000000
GLOBL sgSign32<>(SB), RODATA, $16

// EXP4 replaces Y3 (4 float64 arguments in the normal range) by exp(Y3) exactly as archExp's
// FMA path; it clobbers Y4, Y5, Y6.
#define EXP4 \
	VMULPD       sgLog2e<>(SB), Y3, Y4  \ // t = x·log2(e)
	VCVTPD2DQY   Y4, X5                 \ // k = round-to-nearest-even(t), int32
	VCVTDQ2PD    X5, Y4                 \ // kf = float64(k)
	VFNMADD231PD sgLn2u<>(SB), Y4, Y3   \ // x −= kf·LN2U (fused)
	VFNMADD231PD sgLn2l<>(SB), Y4, Y3   \ // x −= kf·LN2L (fused)
	VMULPD       sgSixteenth<>(SB), Y3, Y3 \
	VMOVUPD      sgC8<>(SB), Y6         \
	VFMADD213PD  sgC7<>(SB), Y3, Y6     \ // p = p·x + c (fused), Taylor coefficients
	VFMADD213PD  sgC6<>(SB), Y3, Y6     \
	VFMADD213PD  sgC5<>(SB), Y3, Y6     \
	VFMADD213PD  sgC4<>(SB), Y3, Y6     \
	VFMADD213PD  sgC3<>(SB), Y3, Y6     \
	VFMADD213PD  sgHalf<>(SB), Y3, Y6   \
	VFMADD213PD  sgOne<>(SB), Y3, Y6    \
	VMULPD       Y6, Y3, Y3             \ // x = x·p
	VADDPD       sgTwo<>(SB), Y3, Y6    \ // four squarings x ← x·(x+2), the last one +1 fused
	VMULPD       Y6, Y3, Y3             \
	VADDPD       sgTwo<>(SB), Y3, Y6    \
	VMULPD       Y6, Y3, Y3             \
	VADDPD       sgTwo<>(SB), Y3, Y6    \
	VMULPD       Y6, Y3, Y3             \
	VADDPD       sgTwo<>(SB), Y3, Y6    \
	VFMADD213PD  sgOne<>(SB), Y6, Y3    \
	VPMOVSXDQ    X5, Y6                 \ // 2^k = float64frombits((k+1023) << 52)
	VPADDQ       sgBias<>(SB), Y6, Y6   \
	VPSLLQ       $52, Y6, Y6            \
	VMULPD       Y6, Y3, Y3

// SIG32 sets X3 to sigmoid(X0) for 4 float32 lanes, as the scalar code: saturation masks on
// the float32 input, exp(−x) in float64, 1/(1+e) in float64, one rounding to float32. It
// clobbers X1, X2, Y3–Y6.
#define SIG32 \
	VCMPPS       $1, sgLo32<>(SB), X0, X1    \ // x < −88
	VCMPPS       $0x0E, sgHi32<>(SB), X0, X2 \ // x > 15
	VCVTPS2PD    X0, Y3                      \
	VXORPD       sgSign<>(SB), Y3, Y3        \ // float64(−x)
	EXP4                                     \
	VADDPD       sgOne<>(SB), Y3, Y3         \ // 1 + e
	VMOVUPD      sgOne<>(SB), Y4             \
	VDIVPD       Y3, Y4, Y3                  \ // 1/(1 + e)
	VCVTPD2PSY   Y3, X3                      \ // float32
	VMOVUPS      sgOne32<>(SB), X4           \
	VBLENDVPS    X2, X4, X3, X3              \ // x > 15: 1
	VANDNPS      X3, X1, X3                     // x < −88: 0

// func siluFwd32x4(z, s, a, b []float32, n int)
// For every row r of len(z)/n rows and j < n (n a positive multiple of 4): z += b[j] (stored),
// s = sigmoid(z) (stored), a = z·s (stored; a may alias z). Float32 adds and multiplies, each
// rounded, as Gorgonia's bias add, sigmoid and Hadamard product.
TEXT ·siluFwd32x4(SB), NOSPLIT, $0-104
	MOVQ    z_base+0(FP), SI
	MOVQ    s_base+24(FP), DI
	MOVQ    a_base+48(FP), DX
	MOVQ    b_base+72(FP), R8
	MOVQ    n+96(FP), R9
	MOVQ    z_len+8(FP), CX
	SHRQ    $2, CX
	JZ      fdone
	SHRQ    $2, R9          // vectors per row
	MOVQ    R9, R10         // vectors left in this row
	MOVQ    R8, R11         // bias pointer

floop:
	VMOVUPS      (SI), X0
	VADDPS       (R11), X0, X0   // z + b
	VMOVUPS      X0, (SI)
	SIG32
	VMOVUPS      X3, (DI)        // s
	VMULPS       X3, X0, X3      // z·s
	VMOVUPS      X3, (DX)        // a
	ADDQ         $16, SI
	ADDQ         $16, DI
	ADDQ         $16, DX
	ADDQ         $16, R11
	DECQ         R10
	JNZ          fnext
	MOVQ         R9, R10         // next row: bias from the start
	MOVQ         R8, R11

fnext:
	DECQ         CX
	JNZ          floop
	VZEROUPPER

fdone:
	RET

// func siluBwd32x4(z, s, g, res, out []float32)
// out = (res +) (s·g) + ((s·sigmoid(−z))·(z·g)) for len(z) rounded down to a multiple of 4
// entries, each product and sum rounded to float32 as Gorgonia's gradient graph of
// x ⊙ σ(x); res is skipped when empty and may alias out.
TEXT ·siluBwd32x4(SB), NOSPLIT, $0-120
	MOVQ    z_base+0(FP), SI
	MOVQ    s_base+24(FP), DI
	MOVQ    g_base+48(FP), DX
	MOVQ    res_base+72(FP), R8
	MOVQ    res_len+80(FP), R9
	MOVQ    out_base+96(FP), R10
	MOVQ    z_len+8(FP), CX
	SHRQ    $2, CX
	JZ      bdone

bloop:
	VMOVUPS      (SI), X7             // z
	VXORPS       sgSign32<>(SB), X7, X0 // −z
	SIG32                             // X3 = σ(−z)
	VMOVUPS      (DI), X8             // s
	VMOVUPS      (DX), X9             // g
	VMULPS       X8, X3, X3           // s·σ(−z)
	VMULPS       X9, X7, X7           // z·g
	VMULPS       X7, X3, X3           // t2 = (s·σ(−z))·(z·g)
	VMULPS       X9, X8, X8           // t1 = s·g
	TESTQ        R9, R9
	JZ           bnores
	VADDPS       (R8), X8, X8         // res + t1
	ADDQ         $16, R8

bnores:
	VADDPS       X3, X8, X8           // + t2
	VMOVUPS      X8, (R10)
	ADDQ         $16, SI
	ADDQ         $16, DI
	ADDQ         $16, DX
	ADDQ         $16, R10
	DECQ         CX
	JNZ          bloop
	VZEROUPPER

bdone:
	RET

// func sigmoid32x4(dst, src []float32, neg bool)
// dst[i] = sigmoid(±src[i]) for i < len(src) rounded down to a multiple of 4 (len(dst) ≥ that).
TEXT ·sigmoid32x4(SB), NOSPLIT, $0-49
	MOVQ    dst_base+0(FP), DI
	MOVQ    src_base+24(FP), SI
	MOVQ    src_len+32(FP), CX
	SHRQ    $2, CX
	JZ      done32
	VXORPS  X14, X14, X14
	MOVBLZX neg+48(FP), AX
	TESTQ   AX, AX
	JZ      loop32
	VMOVUPS sgSign32<>(SB), X14 // negation mask

loop32:
	VMOVUPS      (SI), X0
	VXORPS       X14, X0, X0             // x = ±src
	SIG32
	VMOVUPS      X3, (DI)
	ADDQ         $16, SI
	ADDQ         $16, DI
	DECQ         CX
	JNZ          loop32
	VZEROUPPER

done32:
	RET

// func sigmoid64x4(dst, src []float64, neg bool)
// dst[i] = sigmoid(±src[i]) for i < len(src) rounded down to a multiple of 4 (len(dst) ≥ that).
TEXT ·sigmoid64x4(SB), NOSPLIT, $0-49
	MOVQ    dst_base+0(FP), DI
	MOVQ    src_base+24(FP), SI
	MOVQ    src_len+32(FP), CX
	SHRQ    $2, CX
	JZ      done64
	VXORPD  Y14, Y14, Y14
	MOVBLZX neg+48(FP), AX
	TESTQ   AX, AX
	JZ      loop64
	VMOVUPD sgSign<>(SB), Y14

loop64:
	VMOVUPD      (SI), Y0
	VXORPD       Y14, Y0, Y0             // x = ±src
	VCMPPD       $1, sgLo64<>(SB), Y0, Y1  // x < −709
	VCMPPD       $0x0E, sgHi64<>(SB), Y0, Y2 // x > 19
	VXORPD       sgSign<>(SB), Y0, Y3    // −x
	EXP4
	VADDPD       sgOne<>(SB), Y3, Y3
	VMOVUPD      sgOne<>(SB), Y4
	VDIVPD       Y3, Y4, Y3
	VBLENDVPD    Y2, Y4, Y3, Y3          // x > 19: 1
	VANDNPD      Y3, Y1, Y3              // x < −709: 0
	VMOVUPD      Y3, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DI
	DECQ         CX
	JNZ          loop64
	VZEROUPPER

done64:
	RET

// ---- AVX-512 variants: 8 lanes, the same operations lane by lane (bit-identical). ----

// EXP8 replaces Z3 (8 float64 arguments in the normal range) by exp(Z3), as EXP4; it clobbers
// Z4, Y5, Z6.
#define EXP8 \
	VMULPD.BCST       sgLog2e<>(SB), Z3, Z4  \
	VCVTPD2DQ         Z4, Y5                 \
	VCVTDQ2PD         Y5, Z4                 \
	VFNMADD231PD.BCST sgLn2u<>(SB), Z4, Z3   \
	VFNMADD231PD.BCST sgLn2l<>(SB), Z4, Z3   \
	VMULPD.BCST       sgSixteenth<>(SB), Z3, Z3 \
	VBROADCASTSD      sgC8<>(SB), Z6         \
	VFMADD213PD.BCST  sgC7<>(SB), Z3, Z6     \
	VFMADD213PD.BCST  sgC6<>(SB), Z3, Z6     \
	VFMADD213PD.BCST  sgC5<>(SB), Z3, Z6     \
	VFMADD213PD.BCST  sgC4<>(SB), Z3, Z6     \
	VFMADD213PD.BCST  sgC3<>(SB), Z3, Z6     \
	VFMADD213PD.BCST  sgHalf<>(SB), Z3, Z6   \
	VFMADD213PD.BCST  sgOne<>(SB), Z3, Z6    \
	VMULPD            Z6, Z3, Z3             \
	VADDPD.BCST       sgTwo<>(SB), Z3, Z6    \
	VMULPD            Z6, Z3, Z3             \
	VADDPD.BCST       sgTwo<>(SB), Z3, Z6    \
	VMULPD            Z6, Z3, Z3             \
	VADDPD.BCST       sgTwo<>(SB), Z3, Z6    \
	VMULPD            Z6, Z3, Z3             \
	VADDPD.BCST       sgTwo<>(SB), Z3, Z6    \
	VFMADD213PD.BCST  sgOne<>(SB), Z6, Z3    \
	VPMOVSXDQ         Y5, Z6                 \
	VPADDQ.BCST       sgBias<>(SB), Z6, Z6   \
	VPSLLQ            $52, Z6, Z6            \
	VMULPD            Z6, Z3, Z3

// SIG32x8 sets Y3 to sigmoid(Y0) for 8 float32 lanes, as SIG32. Clobbers Y1, Y2, Z3–Z6.
#define SIG32x8 \
	VCMPPS       $1, sgLo32x8<>(SB), Y0, Y1    \
	VCMPPS       $0x0E, sgHi32x8<>(SB), Y0, Y2 \
	VCVTPS2PD    Y0, Z3                        \
	VPXORQ.BCST  sgSign<>(SB), Z3, Z3          \
	EXP8                                       \
	VADDPD.BCST  sgOne<>(SB), Z3, Z3           \
	VBROADCASTSD sgOne<>(SB), Z4               \
	VDIVPD       Z3, Z4, Z3                    \
	VCVTPD2PS    Z3, Y3                        \
	VMOVUPS      sgOne32x8<>(SB), Y4           \
	VBLENDVPS    Y2, Y4, Y3, Y3                \
	VANDNPS      Y3, Y1, Y3

#define F8(name, v) DATA name<>+0(SB)/4, v; DATA name<>+4(SB)/4, v; DATA name<>+8(SB)/4, v; DATA name<>+12(SB)/4, v; DATA name<>+16(SB)/4, v; DATA name<>+20(SB)/4, v; DATA name<>+24(SB)/4, v; DATA name<>+28(SB)/4, v; GLOBL name<>(SB), RODATA, $32

F8(sgLo32x8, $-88.0)
F8(sgHi32x8, $15.0)
F8(sgOne32x8, $1.0)
F8(sgSign32x8, $0x80000000)

// func siluFwd32x8(z, s, a, b []float32, n int)
// As siluFwd32x4, 8 lanes; n a positive multiple of 8.
TEXT ·siluFwd32x8(SB), NOSPLIT, $0-104
	MOVQ    z_base+0(FP), SI
	MOVQ    s_base+24(FP), DI
	MOVQ    a_base+48(FP), DX
	MOVQ    b_base+72(FP), R8
	MOVQ    n+96(FP), R9
	MOVQ    z_len+8(FP), CX
	SHRQ    $3, CX
	JZ      f8done
	SHRQ    $3, R9
	MOVQ    R9, R10
	MOVQ    R8, R11

f8loop:
	VMOVUPS      (SI), Y0
	VADDPS       (R11), Y0, Y0
	VMOVUPS      Y0, (SI)
	SIG32x8
	VMOVUPS      Y3, (DI)
	VMULPS       Y3, Y0, Y3
	VMOVUPS      Y3, (DX)
	ADDQ         $32, SI
	ADDQ         $32, DI
	ADDQ         $32, DX
	ADDQ         $32, R11
	DECQ         R10
	JNZ          f8next
	MOVQ         R9, R10
	MOVQ         R8, R11

f8next:
	DECQ         CX
	JNZ          f8loop
	VZEROUPPER

f8done:
	RET

// func siluBwd32x8(z, s, g, res, out []float32)
// As siluBwd32x4 for len(z) rounded down to a multiple of 8 entries.
TEXT ·siluBwd32x8(SB), NOSPLIT, $0-120
	MOVQ    z_base+0(FP), SI
	MOVQ    s_base+24(FP), DI
	MOVQ    g_base+48(FP), DX
	MOVQ    res_base+72(FP), R8
	MOVQ    res_len+80(FP), R9
	MOVQ    out_base+96(FP), R10
	MOVQ    z_len+8(FP), CX
	SHRQ    $3, CX
	JZ      b8done

b8loop:
	VMOVUPS      (SI), Y7
	VXORPS       sgSign32x8<>(SB), Y7, Y0
	SIG32x8
	VMOVUPS      (DI), Y8
	VMOVUPS      (DX), Y9
	VMULPS       Y8, Y3, Y3
	VMULPS       Y9, Y7, Y7
	VMULPS       Y7, Y3, Y3
	VMULPS       Y9, Y8, Y8
	TESTQ        R9, R9
	JZ           b8nores
	VADDPS       (R8), Y8, Y8
	ADDQ         $32, R8

b8nores:
	VADDPS       Y3, Y8, Y8
	VMOVUPS      Y8, (R10)
	ADDQ         $32, SI
	ADDQ         $32, DI
	ADDQ         $32, DX
	ADDQ         $32, R10
	DECQ         CX
	JNZ          b8loop
	VZEROUPPER

b8done:
	RET

// func sigmoid32x8(dst, src []float32, neg bool)
// As sigmoid32x4 for len(src) rounded down to a multiple of 8 entries.
TEXT ·sigmoid32x8(SB), NOSPLIT, $0-49
	MOVQ    dst_base+0(FP), DI
	MOVQ    src_base+24(FP), SI
	MOVQ    src_len+32(FP), CX
	SHRQ    $3, CX
	JZ      s8done
	VXORPS  Y14, Y14, Y14
	MOVBLZX neg+48(FP), AX
	TESTQ   AX, AX
	JZ      s8loop
	VMOVUPS sgSign32x8<>(SB), Y14

s8loop:
	VMOVUPS      (SI), Y0
	VXORPS       Y14, Y0, Y0
	SIG32x8
	VMOVUPS      Y3, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DI
	DECQ         CX
	JNZ          s8loop
	VZEROUPPER

s8done:
	RET
