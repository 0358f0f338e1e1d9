#include "textflag.h"

// func adam32x8(w, g []float32, m, v []float64, c *[9]float64)
// For the first len(w)&^7 entries, 8 at a time, the update of adamUpdate[float32] with the same
// IEEE operations in the same order (c = scale, β₁, 1−β₁, β₂, 1−β₂, lr, bc₁, bc₂, ε):
//   gi = scale·g; m = β₁m + (1−β₁)gi; v = β₂v + ((1−β₂)gi)gi;
//   w = float32(w − (lr·(m/bc₁)) / (√(v/bc₂) + ε)).
// Every step is a correctly rounded IEEE operation without fusion, so each lane equals the
// scalar Go code exactly.
TEXT ·adam32x8(SB), NOSPLIT, $0-104
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ c+96(FP), AX
	VBROADCASTSD 0(AX), Z20  // scale
	VBROADCASTSD 8(AX), Z21  // β₁
	VBROADCASTSD 16(AX), Z22 // 1 − β₁
	VBROADCASTSD 24(AX), Z23 // β₂
	VBROADCASTSD 32(AX), Z24 // 1 − β₂
	VBROADCASTSD 40(AX), Z25 // lr
	VBROADCASTSD 48(AX), Z26 // bc₁
	VBROADCASTSD 56(AX), Z27 // bc₂
	VBROADCASTSD 64(AX), Z28 // ε
	SHRQ $3, CX
	JZ   done

loop:
	VCVTPS2PD (SI), Z0   // g
	VMULPD    Z0, Z20, Z0 // gi = scale·g
	VMULPD    (R8), Z21, Z1 // β₁·m
	VMULPD    Z0, Z22, Z2 // (1−β₁)·gi
	VADDPD    Z2, Z1, Z1  // m
	VMOVUPD   Z1, (R8)
	VMULPD    (R9), Z23, Z3 // β₂·v
	VMULPD    Z0, Z24, Z4 // (1−β₂)·gi
	VMULPD    Z0, Z4, Z4  // ·gi
	VADDPD    Z4, Z3, Z3  // v
	VMOVUPD   Z3, (R9)
	VDIVPD    Z26, Z1, Z1 // m/bc₁
	VMULPD    Z1, Z25, Z1 // lr·(m/bc₁)
	VDIVPD    Z27, Z3, Z3 // v/bc₂
	VSQRTPD   Z3, Z3
	VADDPD    Z28, Z3, Z3 // √(v/bc₂) + ε
	VDIVPD    Z3, Z1, Z1
	VCVTPS2PD (DI), Z5
	VSUBPD    Z1, Z5, Z5
	VCVTPD2PS Z5, Y5
	VMOVUPS   Y5, (DI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	ADDQ      $64, R8
	ADDQ      $64, R9
	DECQ      CX
	JNZ       loop

done:
	VZEROUPPER
	RET
