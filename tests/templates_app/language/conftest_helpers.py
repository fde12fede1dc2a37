"""A valid template the tests mutate (plain data, no fixtures needed)."""

import copy

VALID = {
    "FormatVersion": "OOS-2019-06-01",
    "Description": "Stop VMs by name pattern after approval",
    "Parameters": {
        "Pattern": {"Type": "String", "Default": "web-*", "MinLength": 1},
        "Concurrency": {"Type": "Number", "Default": 2, "MinValue": 1, "MaxValue": 10},
    },
    "Conditions": {"Always": {"Fn::Equals": [1, 1]}},
    "Tasks": [
        {
            "Name": "describe",
            "Action": "ACS::VSphere::DescribeVMs",
            "Properties": {"NamePattern": "{{ Pattern }}"},
            "Outputs": {"ids": {"ValueSelector": ".VMs[].Id", "Type": "List"}},
        },
        {
            "Name": "approve",
            "Action": "ACS::Approve",
            "Properties": {"Approvers": ["ops"], "Message": "Stop {{ describe.ids | length }} VMs?"},
        },
        {
            "Name": "stop",
            "Action": "ACS::VSphere::StopVM",
            "When": "Always",
            "Properties": {"VMIds": ["{{ ACS::TaskLoopItem }}"]},
            "Outputs": {"state": {"ValueSelector": ".State", "Type": "String"}},
            "Loop": {
                "Items": "{{ describe.ids }}",
                "RateControl": {"Mode": "Concurrency", "Concurrency": "{{ Concurrency }}", "MaxErrors": "10%"},
                "Outputs": {"states": {"AggregateType": "Fn::ListJoin", "AggregateField": "state"}},
            },
        },
    ],
    "Outputs": {"stopped": {"Type": "List", "Value": "{{ describe.ids }}"}},
}


def valid():
    return copy.deepcopy(VALID)
