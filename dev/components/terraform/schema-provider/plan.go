package main

// Planning, as the real providers do it, so that `tofu plan` sees what a real first plan sees: which values are known
// and which are "(known after apply)".
//
// The google provider is built on terraform-plugin-sdk/v2. On create, the SDK plans every Computed attribute that the
// configuration leaves unset as unknown ("known after apply"), unless the resource's CustomizeDiff sets it:
// https://developer.hashicorp.com/terraform/plugin/sdkv2/schemas/schema-behaviors#computed
// https://developer.hashicorp.com/terraform/plugin/framework/resources/plan-modification (same rule, "unknown" until apply)
// On update, Terraform's proposed new state already carries the prior values of unset computed attributes, and an
// SDK resource without a CustomizeDiff plans exactly that.
//
// What the bindings the schemas come from cannot tell: an Optional+Computed attribute looks Optional only, so when
// the configuration leaves one unset it is planned null here where the real provider plans it unknown. A reference to
// such an attribute would look known here; the module sets project, region and location on every resource it makes,
// which are the Optional+Computed attributes it reads back.

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func (s *server) PlanResourceChange(_ context.Context, req *tfprotov5.PlanResourceChangeRequest) (*tfprotov5.PlanResourceChangeResponse, error) {
	schema, ok := s.schema.ResourceSchemas[req.TypeName]
	if !ok {
		return nil, fmt.Errorf("no resource type %s", req.TypeName)
	}
	typ := schema.ValueType()
	proposed, err := req.ProposedNewState.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	prior, err := req.PriorState.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	if proposed.IsNull() { // destroy
		return &tfprotov5.PlanResourceChangeResponse{PlannedState: req.ProposedNewState}, nil
	}
	planned := proposed
	if prior.IsNull() {
		if planned, err = unknownWhereComputed(schema.Block, proposed); err != nil {
			return nil, err
		}
	}
	planned, diagnostics, err := s.resourceRules(req.TypeName, planned)
	if err != nil || hasError(diagnostics) {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: diagnostics}, err
	}
	state, err := tfprotov5.NewDynamicValue(typ, planned)
	return &tfprotov5.PlanResourceChangeResponse{PlannedState: &state, Diagnostics: diagnostics}, err
}

// unknownWhereComputed plans every computed attribute left null, at any depth of nested blocks, as unknown.
func unknownWhereComputed(block *tfprotov5.SchemaBlock, proposed tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(proposed, func(path *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if attribute := attributeAt(block, path.Steps()); attribute != nil && attribute.Computed && v.IsNull() {
			return tftypes.NewValue(v.Type(), tftypes.UnknownValue), nil
		}
		return v, nil
	})
}

// attributeAt finds the schema attribute a value path ends on (through nested blocks and their elements); nil for a
// block, an element, or a path that goes inside an attribute's own value.
func attributeAt(block *tfprotov5.SchemaBlock, steps []tftypes.AttributePathStep) *tfprotov5.SchemaAttribute {
	for len(steps) > 0 {
		name, ok := steps[0].(tftypes.AttributeName)
		if !ok {
			return nil
		}
		steps = steps[1:]
		if attribute := findAttribute(block, string(name)); attribute != nil {
			if len(steps) == 0 {
				return attribute
			}
			return nil
		}
		nested := findBlock(block, string(name))
		if nested == nil {
			return nil
		}
		block = nested.Block
		if nested.Nesting != tfprotov5.SchemaNestedBlockNestingModeSingle && nested.Nesting != tfprotov5.SchemaNestedBlockNestingModeGroup {
			if len(steps) == 0 {
				return nil
			}
			steps = steps[1:] // the element key of a list, set or map block
		}
	}
	return nil
}

func findAttribute(block *tfprotov5.SchemaBlock, name string) *tfprotov5.SchemaAttribute {
	for _, a := range block.Attributes {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func findBlock(block *tfprotov5.SchemaBlock, name string) *tfprotov5.SchemaNestedBlock {
	for _, b := range block.BlockTypes {
		if b.TypeName == name {
			return b
		}
	}
	return nil
}

func hasError(diagnostics []*tfprotov5.Diagnostic) bool {
	for _, d := range diagnostics {
		if d.Severity == tfprotov5.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// attributeValue reads one top-level attribute of an object value (null when absent).
func attributeValue(object tftypes.Value, name string) tftypes.Value {
	var attributes map[string]tftypes.Value
	if !object.IsKnown() || object.IsNull() || object.As(&attributes) != nil {
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil)
	}
	if v, ok := attributes[name]; ok {
		return v
	}
	return tftypes.NewValue(tftypes.DynamicPseudoType, nil)
}

// withAttributes returns the object with some top-level attributes replaced.
func withAttributes(object tftypes.Value, replace map[string]tftypes.Value) (tftypes.Value, error) {
	var attributes map[string]tftypes.Value
	if err := object.As(&attributes); err != nil {
		return object, err
	}
	for name, v := range replace {
		attributes[name] = v
	}
	return tftypes.NewValue(object.Type(), attributes), nil
}

// knownString reads a known, non-null string.
func knownString(v tftypes.Value) (string, bool) {
	var s string
	if !v.IsKnown() || v.IsNull() || v.As(&s) != nil {
		return "", false
	}
	return s, true
}
