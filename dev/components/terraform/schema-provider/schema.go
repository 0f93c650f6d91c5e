package main

// Turns a schema in `providers schema -json` shape (what extract writes) into the plugin protocol's types.

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

type jsonSchema struct {
	Block jsonBlock `json:"block"`
}

type jsonBlock struct {
	Attributes map[string]struct {
		Type     json.RawMessage `json:"type"`
		Required bool            `json:"required"`
		Optional bool            `json:"optional"`
		Computed bool            `json:"computed"`
	} `json:"attributes"`
	BlockTypes map[string]struct {
		NestingMode string    `json:"nesting_mode"`
		Block       jsonBlock `json:"block"`
		MinItems    int64     `json:"min_items"`
		MaxItems    int64     `json:"max_items"`
	} `json:"block_types"`
}

func loadSchema(path string) (*tfprotov5.GetProviderSchemaResponse, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Provider    jsonSchema            `json:"provider"`
		Resources   map[string]jsonSchema `json:"resource_schemas"`
		DataSources map[string]jsonSchema `json:"data_source_schemas"`
	}
	if err := json.Unmarshal(text, &file); err != nil {
		return nil, err
	}
	out := &tfprotov5.GetProviderSchemaResponse{
		ResourceSchemas:   map[string]*tfprotov5.Schema{},
		DataSourceSchemas: map[string]*tfprotov5.Schema{},
		Functions:         map[string]*tfprotov5.Function{},
	}
	if out.Provider, err = toSchema(file.Provider); err != nil {
		return nil, err
	}
	for sections, target := range map[*map[string]jsonSchema]map[string]*tfprotov5.Schema{&file.Resources: out.ResourceSchemas, &file.DataSources: out.DataSourceSchemas} {
		for name, s := range *sections {
			if target[name], err = toSchema(s); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	for _, schema := range out.ResourceSchemas {
		idIsComputed(schema.Block)
	}
	return out, nil
}

// idIsComputed: terraform-plugin-sdk/v2 gives every resource an `id` that is Optional and Computed
// (helper/schema/core_schema.go, CoreConfigSchema), but the bindings show it as Optional only, which would plan a new
// resource's id as null instead of unknown.
func idIsComputed(block *tfprotov5.SchemaBlock) {
	for _, a := range block.Attributes {
		if a.Name == "id" && a.Optional {
			a.Computed = true
		}
	}
}

func toSchema(s jsonSchema) (*tfprotov5.Schema, error) {
	block, err := toBlock(s.Block)
	return &tfprotov5.Schema{Block: block}, err
}

var nesting = map[string]tfprotov5.SchemaNestedBlockNestingMode{
	"single": tfprotov5.SchemaNestedBlockNestingModeSingle,
	"list":   tfprotov5.SchemaNestedBlockNestingModeList,
	"set":    tfprotov5.SchemaNestedBlockNestingModeSet,
	"map":    tfprotov5.SchemaNestedBlockNestingModeMap,
}

func toBlock(b jsonBlock) (*tfprotov5.SchemaBlock, error) {
	out := &tfprotov5.SchemaBlock{}
	for name, a := range b.Attributes {
		typ, err := tftypes.ParseJSONType(a.Type) //nolint:staticcheck // the cty JSON type notation is what we hold
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out.Attributes = append(out.Attributes, &tfprotov5.SchemaAttribute{Name: name, Type: typ, Required: a.Required, Optional: a.Optional, Computed: a.Computed})
	}
	for name, nb := range b.BlockTypes {
		inner, err := toBlock(nb.Block)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov5.SchemaNestedBlock{TypeName: name, Block: inner, Nesting: nesting[nb.NestingMode], MinItems: nb.MinItems, MaxItems: nb.MaxItems})
	}
	return out, nil
}
