import { CDS_NS, DISCOVERY_SOAP_ACTION } from '../soap/namespaces.constants';
import { escapeXmlAttr } from '../xml/xml-escape.util';

/**
 * The discovery service's WSDL (document/literal, wrapped), enough for an off-the-shelf SOAP client
 * to call RetrievePolicy, RetrieveOrganizations, RetrieveCrmTicket and RetrieveCrmUserIdByExternalId.
 */
export function discoveryWsdl(address: string): string {
  const s = (name: string, min = 0): string =>
    `          <s:element minOccurs="${min}" maxOccurs="1" name="${name}" type="s:string" />\n`;
  const derived = (name: string, base: string, fields: string): string =>
    `      <s:complexType name="${name}">\n` +
    `        <s:complexContent mixed="false">\n` +
    `          <s:extension base="tns:${base}">\n` +
    (fields ? `            <s:sequence>\n${fields}            </s:sequence>\n` : '') +
    `          </s:extension>\n` +
    `        </s:complexContent>\n` +
    `      </s:complexType>\n`;
  const binding = (name: string, soap: 'soap' | 'soap12'): string =>
    `  <wsdl:binding name="${name}" type="tns:CrmDiscoveryServiceSoap">\n` +
    `    <${soap}:binding transport="http://schemas.xmlsoap.org/soap/http" />\n` +
    `    <wsdl:operation name="Execute">\n` +
    `      <${soap}:operation soapAction="${DISCOVERY_SOAP_ACTION}" style="document" />\n` +
    `      <wsdl:input>\n        <${soap}:body use="literal" />\n      </wsdl:input>\n` +
    `      <wsdl:output>\n        <${soap}:body use="literal" />\n      </wsdl:output>\n` +
    `    </wsdl:operation>\n` +
    `  </wsdl:binding>\n`;
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="${CDS_NS}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="${CDS_NS}">
  <wsdl:types>
    <s:schema elementFormDefault="qualified" targetNamespace="${CDS_NS}">
      <s:element name="Execute">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="Request" type="tns:Request" />
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:complexType name="Request" abstract="true" />
${derived('RetrievePolicyRequest', 'Request', '')}${derived('RetrieveOrganizationsRequest', 'Request', s('PassportTicket'))}${derived('RetrieveOrganizationRequest', 'Request', s('OrganizationName') + s('PassportTicket'))}${derived('RetrieveCrmTicketRequest', 'Request', s('OrganizationName') + s('PassportTicket') + s('Password') + s('UserId'))}${derived('RetrieveCrmUserIdByExternalIdRequest', 'Request', s('ExternalId') + s('OrganizationName') + s('PassportTicket'))}      <s:element name="ExecuteResponse">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="Response" type="tns:Response" />
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:complexType name="Response" abstract="true" />
      <s:complexType name="OrganizationDetail">
        <s:sequence>
${s('CrmMetadataServiceUrl')}${s('CrmServiceUrl')}${s('FriendlyName')}          <s:element minOccurs="1" maxOccurs="1" name="OrganizationId" type="s:string" />
${s('OrganizationName')}${s('WebApplicationUrl')}        </s:sequence>
      </s:complexType>
      <s:complexType name="ArrayOfOrganizationDetail">
        <s:sequence>
          <s:element minOccurs="0" maxOccurs="unbounded" name="OrganizationDetail" type="tns:OrganizationDetail" />
        </s:sequence>
      </s:complexType>
${derived('RetrievePolicyResponse', 'Response', s('Policy'))}${derived('RetrieveOrganizationsResponse', 'Response', '          <s:element minOccurs="0" maxOccurs="1" name="OrganizationDetails" type="tns:ArrayOfOrganizationDetail" />\n')}${derived('RetrieveOrganizationResponse', 'Response', '          <s:element minOccurs="0" maxOccurs="1" name="OrganizationDetail" type="tns:OrganizationDetail" />\n')}${derived('RetrieveCrmTicketResponse', 'Response', s('CrmTicket') + s('ExpirationDate') + '          <s:element minOccurs="0" maxOccurs="1" name="OrganizationDetail" type="tns:OrganizationDetail" />\n')}${derived('RetrieveCrmUserIdByExternalIdResponse', 'Response', '          <s:element minOccurs="1" maxOccurs="1" name="CrmUserId" type="s:string" />\n')}    </s:schema>
  </wsdl:types>
  <wsdl:message name="ExecuteSoapIn">
    <wsdl:part name="parameters" element="tns:Execute" />
  </wsdl:message>
  <wsdl:message name="ExecuteSoapOut">
    <wsdl:part name="parameters" element="tns:ExecuteResponse" />
  </wsdl:message>
  <wsdl:portType name="CrmDiscoveryServiceSoap">
    <wsdl:operation name="Execute">
      <wsdl:input message="tns:ExecuteSoapIn" />
      <wsdl:output message="tns:ExecuteSoapOut" />
    </wsdl:operation>
  </wsdl:portType>
${binding('CrmDiscoveryServiceSoap', 'soap')}${binding('CrmDiscoveryServiceSoap12', 'soap12')}  <wsdl:service name="CrmDiscoveryService">
    <wsdl:port name="CrmDiscoveryServiceSoap" binding="tns:CrmDiscoveryServiceSoap">
      <soap:address location="${escapeXmlAttr(address)}" />
    </wsdl:port>
    <wsdl:port name="CrmDiscoveryServiceSoap12" binding="tns:CrmDiscoveryServiceSoap12">
      <soap12:address location="${escapeXmlAttr(address)}" />
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
