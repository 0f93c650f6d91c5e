package main

// Data sources are read during plan when their arguments are known, and their results are known values from then on
// (https://developer.hashicorp.com/terraform/language/data-sources#data-resource-behavior). The stand-in has no cloud
// to ask, so it answers from a file of plausible values (SCHEMA_PROVIDER_DATA_SOURCES, JSON: data source type ->
// attribute -> value), minimal on purpose: only what the configuration reads. Arguments set in the configuration
// are kept; an attribute the file does not give stays null. A key "TYPE[ARGUMENT=VALUE]" answers instead of "TYPE"
// for the reads whose configuration sets that argument to that value (a second cluster, by its name), as the real
// data source answers per object asked for. archive_file is the exception: it is local, so it is done for real
// (archive.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

const dataSourcesVariable = "SCHEMA_PROVIDER_DATA_SOURCES"

func (s *server) ReadDataSource(_ context.Context, req *tfprotov5.ReadDataSourceRequest) (*tfprotov5.ReadDataSourceResponse, error) {
	schema, ok := s.schema.DataSourceSchemas[req.TypeName]
	if !ok {
		return nil, fmt.Errorf("no data source type %s", req.TypeName)
	}
	typ := schema.ValueType()
	config, err := req.Config.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	var state tftypes.Value
	if req.TypeName == "archive_file" {
		state, err = readArchive(config)
	} else {
		state, err = fromDataSourceFile(req.TypeName, schema.Block, config)
	}
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: []*tfprotov5.Diagnostic{{
			Severity: tfprotov5.DiagnosticSeverityError, Summary: "Stand-in provider cannot read " + req.TypeName, Detail: err.Error(),
		}}}, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, state)
	return &tfprotov5.ReadDataSourceResponse{State: &dv}, err
}

func fromDataSourceFile(typeName string, block *tfprotov5.SchemaBlock, config tftypes.Value) (tftypes.Value, error) {
	path := os.Getenv(dataSourcesVariable)
	if path == "" {
		return config, fmt.Errorf("%s is not set: it names the JSON file of data source values", dataSourcesVariable)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return config, err
	}
	var all map[string]map[string]json.RawMessage
	if err := json.Unmarshal(text, &all); err != nil {
		return config, fmt.Errorf("%s: %w", path, err)
	}
	values, ok := valuesFor(all, typeName, config)
	if !ok {
		return config, fmt.Errorf("%s has no values for %s", path, typeName)
	}
	replace := map[string]tftypes.Value{}
	for name, raw := range values {
		attribute := findAttribute(block, name)
		if attribute == nil {
			return config, fmt.Errorf("%s: %s has no attribute %s", path, typeName, name)
		}
		if !attributeValue(config, name).IsNull() {
			continue // an argument the configuration sets keeps its value
		}
		// A nested field an older release lacks is left out, as that release would leave it out.
		v, err := tftypes.ValueFromJSONWithOpts(raw, attribute.Type, tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true})
		if err != nil {
			return config, fmt.Errorf("%s: %s.%s: %w", path, typeName, name, err)
		}
		replace[name] = v
	}
	return withAttributes(config, replace)
}

// valuesFor picks the entry for one read: "TYPE[ARGUMENT=VALUE]" whose argument the configuration sets to that value,
// else "TYPE".
func valuesFor(all map[string]map[string]json.RawMessage, typeName string, config tftypes.Value) (map[string]json.RawMessage, bool) {
	for key, values := range all {
		selector, found := strings.CutPrefix(key, typeName+"[")
		if !found || !strings.HasSuffix(selector, "]") {
			continue
		}
		argument, want, _ := strings.Cut(strings.TrimSuffix(selector, "]"), "=")
		if got, known := knownString(attributeValue(config, argument)); known && got == want {
			return values, true
		}
	}
	values, ok := all[typeName]
	return values, ok
}
