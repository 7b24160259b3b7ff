INSERT INTO capdiag_events SETTINGS input_format_import_nested_json = 1, input_format_skip_unknown_fields = 1 FORMAT JSONEachRow
