"""Compile hromadas' Programs of Informatization into a bilingual site and open data."""
