"""The public data API: DRF views, CSV and GeoJSON exports, dated releases."""
