import { ENTITY_METADATA, type AttributeType } from '../crm/entity-metadata.constants';
import { CT_NS, GUID_TYPES_NS, QUERY_NS, WS6_NS, WS_NS } from '../soap/namespaces.constants';
import { escapeXmlAttr } from '../xml/xml-escape.util';

type Field = [name: string, type: string, max?: 'unbounded'];

function sequence(fields: Field[], indent: string): string {
  if (fields.length === 0) return '';
  return (
    `${indent}<s:sequence>\n` +
    fields
      .map(
        ([name, type, max]) =>
          `${indent}  <s:element minOccurs="0" maxOccurs="${max ?? '1'}" name="${name}" type="${type}" />\n`,
      )
      .join('') +
    `${indent}</s:sequence>\n`
  );
}

function complex(name: string, fields: Field[], opts: { base?: string; abstract?: boolean } = {}): string {
  const abs = opts.abstract ? ' abstract="true"' : '';
  if (!opts.base)
    return `      <s:complexType name="${name}"${abs}>\n${sequence(fields, '        ')}      </s:complexType>\n`;
  return (
    `      <s:complexType name="${name}"${abs}>\n` +
    `        <s:complexContent mixed="false">\n` +
    `          <s:extension base="${opts.base}">\n${sequence(fields, '            ')}          </s:extension>\n` +
    `        </s:complexContent>\n` +
    `      </s:complexType>\n`
  );
}

function wrapper(name: string, fields: Field[]): string {
  return `      <s:element name="${name}">\n        <s:complexType>\n${sequence(fields, '          ')}        </s:complexType>\n      </s:element>\n`;
}

function simpleContent(name: string, base: string, attributes: string[]): string {
  return (
    `      <s:complexType name="${name}">\n        <s:simpleContent>\n          <s:extension base="${base}">\n` +
    attributes.map((a) => `            <s:attribute name="${a}" type="s:string" />\n`).join('') +
    `          </s:extension>\n        </s:simpleContent>\n      </s:complexType>\n`
  );
}

/** The WSDL type of each CRM property type (docs/protocol.md §5.3). */
const PROPERTY_TYPES: Record<AttributeType, string> = {
  Key: 'ws6:Key',
  String: 's:string',
  Lookup: 'ws6:Lookup',
  Customer: 'ws6:Customer',
  Owner: 'ws6:Owner',
  CrmDateTime: 'ws6:CrmDateTime',
  CrmBoolean: 'ws6:CrmBoolean',
};

/**
 * Entity types with their attributes, from the same metadata the handlers check requests against
 * (crm/entity-metadata.constants.ts). The types and their attribute elements are in
 * 2007/WebServices; the property types (Key, Lookup, …) and the abstract BusinessEntity they derive
 * from are in 2006/WebServices (docs/protocol.md, entities on the wire).
 */
const ENTITIES: Record<string, Field[]> = Object.fromEntries(
  Object.entries(ENTITY_METADATA).map(([name, meta]) => [
    name,
    meta.attributes.map(([attr, type]): Field => [attr, PROPERTY_TYPES[type]]),
  ]),
);

const OPERATIONS = ['Execute', 'Retrieve', 'RetrieveMultiple', 'Create', 'Update', 'Delete'];

/**
 * The CrmService WSDL (document/literal, wrapped; wrappers and entity types in 2007/WebServices,
 * query types in 2006/Query, BusinessEntity, its collection and the property types in
 * 2006/WebServices, the token in 2007/CoreTypes), with the
 * CrmAuthenticationToken as a SOAP header on every operation.
 */
export function crmServiceWsdl(address: string): string {
  const wsSchema =
    `    <s:schema elementFormDefault="qualified" targetNamespace="${WS_NS}">\n` +
    `      <s:import namespace="${CT_NS}" />\n      <s:import namespace="${QUERY_NS}" />\n` +
    `      <s:import namespace="${WS6_NS}" />\n      <s:import namespace="${GUID_TYPES_NS}" />\n` +
    `      <s:element name="CrmAuthenticationToken" type="ct:CrmAuthenticationToken" />\n` +
    wrapper('Execute', [['Request', 'tns:Request']]) +
    complex('Request', [], { abstract: true }) +
    complex('WhoAmIRequest', [], { base: 'tns:Request' }) +
    wrapper('ExecuteResponse', [['Response', 'tns:Response']]) +
    complex('Response', [], { abstract: true }) +
    complex(
      'WhoAmIResponse',
      [
        ['UserId', 'guid:guid'],
        ['BusinessUnitId', 'guid:guid'],
        ['OrganizationId', 'guid:guid'],
      ],
      { base: 'tns:Response' },
    ) +
    wrapper('Retrieve', [
      ['entityName', 's:string'],
      ['id', 'guid:guid'],
      ['columnSet', 'q:ColumnSetBase'],
    ]) +
    wrapper('RetrieveResponse', [['RetrieveResult', 'ws6:BusinessEntity']]) +
    wrapper('RetrieveMultiple', [['query', 'q:QueryBase']]) +
    wrapper('RetrieveMultipleResponse', [['RetrieveMultipleResult', 'ws6:BusinessEntityCollection']]) +
    wrapper('Create', [['entity', 'ws6:BusinessEntity']]) +
    wrapper('CreateResponse', [['CreateResult', 'guid:guid']]) +
    wrapper('Update', [['entity', 'ws6:BusinessEntity']]) +
    wrapper('UpdateResponse', []) +
    wrapper('Delete', [
      ['entityName', 's:string'],
      ['id', 'guid:guid'],
    ]) +
    wrapper('DeleteResponse', []) +
    Object.entries(ENTITIES)
      .map(([name, fields]) => complex(name, fields, { base: 'ws6:BusinessEntity' }))
      .join('') +
    `    </s:schema>\n`;

  const coreSchema =
    `    <s:schema elementFormDefault="qualified" targetNamespace="${CT_NS}">\n` +
    `      <s:import namespace="${GUID_TYPES_NS}" />\n` +
    `      <s:complexType name="CrmAuthenticationToken">\n        <s:sequence>\n` +
    `          <s:element minOccurs="1" maxOccurs="1" name="AuthenticationType" type="s:int" />\n` +
    `          <s:element minOccurs="0" maxOccurs="1" name="CrmTicket" type="s:string" />\n` +
    `          <s:element minOccurs="0" maxOccurs="1" name="OrganizationName" type="s:string" />\n` +
    `          <s:element minOccurs="1" maxOccurs="1" name="CallerId" type="guid:guid" />\n` +
    `        </s:sequence>\n      </s:complexType>\n` +
    `    </s:schema>\n`;

  const guidSchema =
    `    <s:schema elementFormDefault="qualified" targetNamespace="${GUID_TYPES_NS}">\n` +
    `      <s:simpleType name="guid">\n        <s:restriction base="s:string">\n` +
    `          <s:pattern value="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" />\n` +
    `        </s:restriction>\n      </s:simpleType>\n    </s:schema>\n`;

  const querySchema =
    `    <s:schema elementFormDefault="qualified" targetNamespace="${QUERY_NS}">\n` +
    complex('ColumnSetBase', [], { abstract: true }) +
    complex('AllColumns', [], { base: 'q:ColumnSetBase' }) +
    complex('ColumnSet', [['Attributes', 'q:ArrayOfString']], { base: 'q:ColumnSetBase' }) +
    complex('ArrayOfString', [['Attribute', 's:string', 'unbounded']]) +
    complex(
      'QueryBase',
      [
        ['ColumnSet', 'q:ColumnSetBase'],
        ['Distinct', 's:boolean'],
        ['EntityName', 's:string'],
      ],
      { abstract: true },
    ) +
    complex(
      'QueryExpression',
      [
        ['Criteria', 'q:FilterExpression'],
        ['Orders', 'q:ArrayOfOrderExpression'],
        ['PageInfo', 'q:PagingInfo'],
      ],
      { base: 'q:QueryBase' },
    ) +
    complex('PagingInfo', [
      ['PageNumber', 's:int'],
      ['Count', 's:int'],
      ['PagingCookie', 's:string'],
    ]) +
    complex('FilterExpression', [
      ['FilterOperator', 's:string'],
      ['Conditions', 'q:ArrayOfConditionExpression'],
      ['Filters', 'q:ArrayOfFilterExpression'],
    ]) +
    complex('ArrayOfConditionExpression', [['Condition', 'q:ConditionExpression', 'unbounded']]) +
    complex('ArrayOfFilterExpression', [['Filter', 'q:FilterExpression', 'unbounded']]) +
    complex('ConditionExpression', [
      ['AttributeName', 's:string'],
      ['Operator', 's:string'],
      ['Values', 'q:ArrayOfAnyType'],
    ]) +
    complex('ArrayOfAnyType', [['Value', 's:anyType', 'unbounded']]) +
    complex('ArrayOfOrderExpression', [['Order', 'q:OrderExpression', 'unbounded']]) +
    complex('OrderExpression', [
      ['AttributeName', 's:string'],
      ['OrderType', 's:string'],
    ]) +
    `    </s:schema>\n`;

  const entitySchema =
    `    <s:schema elementFormDefault="qualified" targetNamespace="${WS6_NS}" xmlns:tns="${WS6_NS}">\n` +
    `      <s:import namespace="${GUID_TYPES_NS}" />\n` +
    complex('BusinessEntity', [], { abstract: true }) +
    complex('ArrayOfBusinessEntity', [['BusinessEntity', 'tns:BusinessEntity', 'unbounded']]) +
    `      <s:complexType name="BusinessEntityCollection">\n` +
    sequence([['BusinessEntities', 'tns:ArrayOfBusinessEntity']], '        ') +
    `        <s:attribute name="EntityName" type="s:string" />\n` +
    `        <s:attribute name="MoreRecords" type="s:boolean" use="required" />\n` +
    `        <s:attribute name="PagingCookie" type="s:string" />\n` +
    `        <s:attribute name="Version" type="s:string" />\n` +
    `      </s:complexType>\n` +
    simpleContent('Key', 'guid:guid', []) +
    simpleContent('Lookup', 'guid:guid', ['type', 'name', 'dsc']) +
    simpleContent('Owner', 'guid:guid', ['type', 'name', 'dsc']) +
    simpleContent('Customer', 'guid:guid', ['type', 'name', 'dsc']) +
    simpleContent('CrmDateTime', 's:string', ['date', 'time']) +
    simpleContent('CrmBoolean', 's:boolean', ['name']) +
    `    </s:schema>\n`;

  const messages = OPERATIONS.map(
    (op) =>
      `  <wsdl:message name="${op}SoapIn">\n    <wsdl:part name="parameters" element="tns:${op}" />\n  </wsdl:message>\n` +
      `  <wsdl:message name="${op}SoapOut">\n    <wsdl:part name="parameters" element="tns:${op}Response" />\n  </wsdl:message>\n` +
      `  <wsdl:message name="${op}CrmAuthenticationToken">\n    <wsdl:part name="CrmAuthenticationToken" element="tns:CrmAuthenticationToken" />\n  </wsdl:message>\n`,
  ).join('');

  const portType =
    `  <wsdl:portType name="CrmServiceSoap">\n` +
    OPERATIONS.map(
      (op) =>
        `    <wsdl:operation name="${op}">\n      <wsdl:input message="tns:${op}SoapIn" />\n      <wsdl:output message="tns:${op}SoapOut" />\n    </wsdl:operation>\n`,
    ).join('') +
    `  </wsdl:portType>\n`;

  const binding = (name: string, soap: 'soap' | 'soap12'): string =>
    `  <wsdl:binding name="${name}" type="tns:CrmServiceSoap">\n` +
    `    <${soap}:binding transport="http://schemas.xmlsoap.org/soap/http" />\n` +
    OPERATIONS.map(
      (op) =>
        `    <wsdl:operation name="${op}">\n` +
        `      <${soap}:operation soapAction="${WS_NS}/${op}" style="document" />\n` +
        `      <wsdl:input>\n        <${soap}:body use="literal" />\n` +
        `        <${soap}:header message="tns:${op}CrmAuthenticationToken" part="CrmAuthenticationToken" use="literal" />\n` +
        `      </wsdl:input>\n` +
        `      <wsdl:output>\n        <${soap}:body use="literal" />\n      </wsdl:output>\n` +
        `    </wsdl:operation>\n`,
    ).join('') +
    `  </wsdl:binding>\n`;

  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" ` +
    `xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="${WS_NS}" ` +
    `xmlns:ct="${CT_NS}" xmlns:q="${QUERY_NS}" xmlns:ws6="${WS6_NS}" xmlns:guid="${GUID_TYPES_NS}" targetNamespace="${WS_NS}">\n` +
    `  <wsdl:types>\n${wsSchema}${coreSchema}${guidSchema}${querySchema}${entitySchema}  </wsdl:types>\n` +
    messages +
    portType +
    binding('CrmServiceSoap', 'soap') +
    binding('CrmServiceSoap12', 'soap12') +
    `  <wsdl:service name="CrmService">\n` +
    `    <wsdl:port name="CrmServiceSoap" binding="tns:CrmServiceSoap">\n      <soap:address location="${escapeXmlAttr(address)}" />\n    </wsdl:port>\n` +
    `    <wsdl:port name="CrmServiceSoap12" binding="tns:CrmServiceSoap12">\n      <soap12:address location="${escapeXmlAttr(address)}" />\n    </wsdl:port>\n` +
    `  </wsdl:service>\n` +
    `</wsdl:definitions>\n`
  );
}
