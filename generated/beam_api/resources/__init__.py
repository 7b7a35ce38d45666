"""Resources of the Beam API API, one per tag. Import them from their modules."""
