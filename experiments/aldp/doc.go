// Package aldp owns the alanine-dipeptide target (ACE-ALA-NME, 22 atoms): an AMBER prmtop
// reader, the AMBER ff96 force field built from it with OBC1 generalised-Born implicit solvent
// and the ACE surface-area term (or in vacuum), energies, analytic forces and Hessian–vector
// products in pure Go, and the Target that presents the reduced energy E/(k_B T) to the
// samplers through dynamics.Energy. It also holds the geometry helpers the evaluation needs
// (the φ, ψ and methyl torsions, the L/D chirality test).
//
// The energy is the one OpenMM 7.7 builds with openmmtools' AlanineDipeptideImplicit and
// constraints off: harmonic bonds and angles, periodic torsions (impropers included),
// Lennard-Jones and Coulomb over all non-excluded pairs with scaled 1-4 pairs (Coulomb /1.2,
// LJ ε /2), no cut-off, no periodic box, and in implicit solvent OBC1 (α, β, γ = 0.8, 0,
// 2.909125; solute/solvent dielectric 1/78.5; offset 0.009 nm) plus the ACE non-polar term.
// The tests compare every component and the forces with OpenMM reference values.
//
// Units everywhere: positions in nm, energies in kJ/mol, forces in kJ/mol/nm, charges in e,
// angles in radians. Coordinates are flat row-major slices, atom a occupying pos[3a:3a+3],
// atoms in prmtop order: 0 HH31, 1 CH3, 2 HH32, 3 HH33, 4 C, 5 O (ACE); 6 N, 7 H, 8 CA, 9 HA,
// 10 CB, 11 HB1, 12 HB2, 13 HB3, 14 C, 15 O (ALA); 16 N, 17 H, 18 CH3, 19 HH31, 20 HH32,
// 21 HH33 (NME).
//
// The prmtop (openmmtools' alanine-dipeptide-gbsa, ff96, mbondi2 radii) is embedded; it is
// parsed at construction and nothing in the package is global mutable state.
package aldp
