"""Physical constants, with the values and names Brian2 uses (CODATA 2014; Brian2's
``brian2.units.constants``): ``from spikeloom.units.constants import faraday_constant``."""

import math

from ._registry import ALL_UNITS as _U

avogadro_constant = 6.022140857e23 / _U["mole"]
boltzmann_constant = 1.38064852e-23 * _U["joule"] / _U["kelvin"]
electric_constant = 8.854187817e-12 * _U["farad"] / _U["metre"]
electron_mass = 9.10938356e-31 * _U["kilogram"]
elementary_charge = 1.6021766208e-19 * _U["coulomb"]
faraday_constant = 96485.33289 * _U["coulomb"] / _U["mole"]
gas_constant = 8.3144598 * _U["joule"] / (_U["mole"] * _U["kelvin"])
magnetic_constant = 4 * math.pi * 1e-7 * _U["newton"] / _U["amp"] ** 2
molar_mass_constant = 1 * _U["gram"] / _U["mole"]
zero_celsius = 273.15 * _U["kelvin"]

__all__ = ["avogadro_constant", "boltzmann_constant", "electric_constant", "electron_mass",
           "elementary_charge", "faraday_constant", "gas_constant", "magnetic_constant",
           "molar_mass_constant", "zero_celsius"]
