package main

// Reads a provider's schema back out of its prebuilt CDK for Terraform bindings (the npm packages
// @cdktf/provider-<name>). Those bindings are generated from the real provider's `providers schema -json` output and
// keep, in a fixed shape, everything `validate` needs:
//   - synthesizeHclAttributes / <struct>ToHclTerraform: every configurable argument with isBlock, type and storage type;
//   - getters `get x() { return this.getStringAttribute('x_name') }`: every readable attribute, computed ones included;
//   - `resetX()` exists only for optional arguments, so one without it is required;
//   - `this._x = new FooList(this, "x_name", wrapsSet)`: nested objects, their element struct and list/set kind.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	classStart   = regexp.MustCompile(`(?m)^class (\w+) extends ([\w.]+) \{`)
	funcStart    = regexp.MustCompile(`(?m)^function (\w+)ToHclTerraform\(struct\) \{`)
	hclEntry     = regexp.MustCompile(`(\w+): \{\s*value: ([^\n]*),\s*isBlock: (true|false),\s*type: "(\w+)",\s*storageClassType: "(\w+)",`)
	hclCamel     = regexp.MustCompile(`(?:struct\.|this\._)(\w+)`)
	getter       = regexp.MustCompile(`\n    get (\w+)\(\) \{\n\s+return ([^\n]+);\n    \}`)
	primitiveGet = regexp.MustCompile(`this\.get(\w+)Attribute\('(\w+)'\)`)
	fieldGet     = regexp.MustCompile(`^this\._(\w+)$`)
	fieldInit    = regexp.MustCompile(`this\._(\w+) = new (?:index_structs_1\.)?([\w.]+)\(this, "(\w+)"(?:, (true|false))?\);`)
	resourceType = regexp.MustCompile(`terraformResourceType: '(\w+)'`)
)

type hclAttr struct {
	camel, kind, storage string
	isBlock              bool
}

// jsSource is one binding folder (one resource, data source or the provider): its classes and struct converters.
type jsSource struct {
	classes map[string]string             // class name → body
	hcl     map[string]map[string]hclAttr // struct name (or top class name) → snake name → argument
}

func readJS(dir string) (string, error) {
	var all strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		text, err := os.ReadFile(path)
		all.Write(text)
		all.WriteString("\n")
		return err
	})
	return all.String(), err
}

func parseJS(text string) *jsSource {
	src := &jsSource{classes: map[string]string{}, hcl: map[string]map[string]hclAttr{}}
	for _, m := range classStart.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		end := strings.Index(text[m[0]:], "\nexports."+name+" = "+name+";")
		if end < 0 {
			continue
		}
		body := text[m[0] : m[0]+end]
		src.classes[name] = body
		if i := strings.Index(body, "synthesizeHclAttributes() {"); i >= 0 {
			src.hcl[name] = parseHCL(body[i:])
		}
	}
	for _, m := range funcStart.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		end := strings.Index(text[m[0]:], "\n}\n")
		if end < 0 {
			continue
		}
		src.hcl[strings.ToUpper(name[:1])+name[1:]] = parseHCL(text[m[0] : m[0]+end])
	}
	return src
}

func parseHCL(body string) map[string]hclAttr {
	if end := strings.Index(body, "\n    }\n"); end >= 0 && strings.HasPrefix(body, "synthesizeHclAttributes") {
		body = body[:end]
	}
	out := map[string]hclAttr{}
	for _, m := range hclEntry.FindAllStringSubmatch(body, -1) {
		camel := ""
		if c := hclCamel.FindAllStringSubmatch(m[2], -1); len(c) > 0 {
			camel = c[len(c)-1][1]
		}
		out[m[1]] = hclAttr{camel: camel, kind: m[4], storage: m[5], isBlock: m[3] == "true"}
	}
	return out
}

// child is a nested object reached through a field: its struct name and how it repeats.
type child struct {
	structName, nesting string // nesting: single, list, set or map
	typ                 any    // set instead for a computed map of strings
}

func fieldChildren(body string) map[string]child {
	out := map[string]child{}
	for _, m := range fieldInit.FindAllStringSubmatch(body, -1) {
		if c, ok := nestedChild(m[2], m[4] == "true"); ok {
			out[m[3]] = c
			out["camel:"+m[1]] = child{structName: m[3]} // camel field name → snake name
		}
	}
	return out
}

// nestedChild reads a field's class: cdktf.StringMap(List) for computed string maps, else <Struct>OutputReference
// (one object), <Struct>List (list, or set when it wraps one) or <Struct>Map.
func nestedChild(class string, wrapsSet bool) (child, bool) {
	switch {
	case class == "cdktf.StringMap":
		return child{typ: []any{"map", "string"}}, true
	case class == "cdktf.StringMapList":
		return child{typ: []any{"list", []any{"map", "string"}}}, true
	case strings.HasSuffix(class, "OutputReference"):
		return child{structName: strings.TrimSuffix(class, "OutputReference"), nesting: "single"}, true
	case strings.HasSuffix(class, "List") && wrapsSet:
		return child{structName: strings.TrimSuffix(class, "List"), nesting: "set"}, true
	case strings.HasSuffix(class, "List"):
		return child{structName: strings.TrimSuffix(class, "List"), nesting: "list"}, true
	case strings.HasSuffix(class, "Map"):
		return child{structName: strings.TrimSuffix(class, "Map"), nesting: "map"}, true
	}
	return child{}, false
}

var primitiveTypes = map[string]any{
	"String": "string", "Number": "number", "Boolean": "bool",
	"List": []any{"list", "string"}, "NumberList": []any{"list", "number"},
	"StringMap": []any{"map", "string"}, "AnyMap": "dynamic",
}

// block builds the schema of a class (the top class, or <struct>OutputReference) with its struct's arguments.
func (s *jsSource) block(className string, args map[string]hclAttr) (map[string]any, error) {
	body := s.classes[className]
	children := fieldChildren(body)
	attributes, blockTypes := map[string]any{}, map[string]any{}
	for _, g := range getter.FindAllStringSubmatch(body, -1) {
		camel, expr := g[1], g[2]
		snake, typ, nested := "", any(nil), child{}
		if p := primitiveGet.FindStringSubmatch(expr); p != nil {
			snake, typ = p[2], primitiveTypes[p[1]]
			if strings.HasPrefix(expr, "cdktf.Fn.tolist(") {
				typ = []any{"set", "string"}
			}
		} else if f := fieldGet.FindStringSubmatch(expr); f != nil {
			snake = children["camel:"+f[1]].structName
			nested, typ = children[snake], children[snake].typ
		}
		if snake == "" {
			continue
		}
		arg, configurable := args[snake]
		optional := strings.Contains(body, "\n    reset"+strings.ToUpper(camel[:1])+camel[1:]+"() {")
		if configurable && arg.isBlock {
			b, err := s.nestedBlock(nested, arg, optional)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", className, snake, err)
			}
			blockTypes[snake] = b
			continue
		}
		if typ == nil {
			t, err := s.objectType(nested)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", className, snake, err)
			}
			typ = t
		}
		if configurable && arg.kind == "set" && arg.storage == "stringList" {
			typ = []any{"set", "string"}
		}
		attributes[snake] = map[string]any{"type": typ, "required": configurable && !optional, "optional": configurable && optional, "computed": !configurable}
	}
	return map[string]any{"attributes": attributes, "block_types": blockTypes}, nil
}

func (s *jsSource) nestedBlock(c child, arg hclAttr, optional bool) (map[string]any, error) {
	if c.structName == "" {
		return nil, fmt.Errorf("block without a struct")
	}
	inner, err := s.block(c.structName+"OutputReference", s.hcl[c.structName])
	if err != nil {
		return nil, err
	}
	b := map[string]any{"nesting_mode": c.nesting, "block": inner}
	// A list block limited to one element is bound as a single object (an OutputReference field); a real single
	// block (such as `timeouts`) is the HCL type "struct".
	if c.nesting == "single" && arg.kind != "struct" {
		b["nesting_mode"], b["max_items"] = arg.kind, 1
	}
	if !optional && b["nesting_mode"] != "single" {
		b["min_items"] = 1
	}
	return b, nil
}

// objectType is the type of a computed nested attribute: an object of every attribute its class can read.
func (s *jsSource) objectType(c child) (any, error) {
	if c.structName == "" {
		return nil, fmt.Errorf("attribute of unknown type")
	}
	inner, err := s.block(c.structName+"OutputReference", nil)
	if err != nil {
		return nil, err
	}
	fields := map[string]any{}
	for name, a := range inner["attributes"].(map[string]any) {
		fields[name] = a.(map[string]any)["type"]
	}
	obj := []any{"object", fields}
	if c.nesting == "single" {
		return obj, nil
	}
	return []any{c.nesting, obj}, nil
}

// providerBlock: the provider class exposes no attribute getters, so its schema is its arguments (all optional).
func (s *jsSource) providerBlock(args map[string]hclAttr) map[string]any {
	attributes, blockTypes := map[string]any{}, map[string]any{}
	for snake, a := range args {
		if snake == "alias" { // a meta-argument of every provider block, not part of the provider's schema
			continue
		}
		if a.isBlock {
			nesting := map[string]string{"list": "list", "set": "set", "struct": "single"}[a.kind]
			name := strings.TrimSuffix(a.storage, "List")
			blockTypes[snake] = map[string]any{"nesting_mode": nesting, "block": s.providerBlock(s.hcl[name])}
			continue
		}
		typ := map[string]any{"string": "string", "number": "number", "boolean": "bool", "stringList": []any{a.kind, "string"}, "stringMap": []any{"map", "string"}}[a.storage]
		attributes[snake] = map[string]any{"type": typ, "optional": true}
	}
	return map[string]any{"attributes": attributes, "block_types": blockTypes}
}

// extract reads every binding folder of a package (lib/<name>/) into `providers schema -json` shape.
func extract(pkgDir string) (map[string]any, error) {
	dirs, err := filepath.Glob(filepath.Join(pkgDir, "lib", "*"))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"resource_schemas": map[string]any{}, "data_source_schemas": map[string]any{}}
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		text, err := readJS(dir)
		if err != nil {
			return nil, err
		}
		if err := addTopClasses(parseJS(text), out); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(dir), err)
		}
	}
	return out, nil
}

func addTopClasses(src *jsSource, out map[string]any) error {
	for name, body := range src.classes {
		base := classStart.FindStringSubmatch(body)[2]
		section := map[string]string{"cdktf.TerraformResource": "resource_schemas", "cdktf.TerraformDataSource": "data_source_schemas"}[base]
		if base == "cdktf.TerraformProvider" {
			out["provider"] = map[string]any{"version": 0, "block": src.providerBlock(src.hcl[name])}
			continue
		}
		typeName := resourceType.FindStringSubmatch(body)
		if section == "" || typeName == nil {
			continue
		}
		b, err := src.block(name, src.hcl[name])
		if err != nil {
			return err
		}
		out[section].(map[string]any)[typeName[1]] = map[string]any{"version": 0, "block": b}
	}
	return nil
}
