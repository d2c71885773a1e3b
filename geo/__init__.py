"""LandMatch's domain: parcels, projects, areas, CRS, queries and files; knows no web framework."""
